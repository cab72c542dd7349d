using Runnel.PeerBench.Results;

namespace Runnel.PeerBench.Tests;

public sealed class DriverOutputParserTests
{
    [Fact]
    public void Runnel_produce_final_line_gives_count_rate_and_percentiles()
    {
        const string output = """
            523410 records sent, 104682.0 records/sec (102.23 MB/sec), 12.3 ms avg latency, 95.0 ms max latency.
            2000000 records sent, 104011.232900 records/sec (101.57 MB/sec), 11.84 ms avg latency, 210.00 ms max latency, 9 ms 50th, 28 ms 95th, 61 ms 99th, 180 ms 99.9th.
            Broker pid 12345: 8.21 CPU ms/MiB, 1.37 cores (16050 ms CPU in 11715 ms), peak RSS 412.6 MiB.
            """;

        Assert.True(DriverOutputParser.TryParse(DriverFormat.RunnelProduce, output, out var result));
        Assert.Equal(new DriverResult(2000000, 104011.2329, 9, 61, 180), result);
    }

    [Fact]
    public void Runnel_produce_progress_line_alone_is_not_a_summary()
    {
        Assert.False(DriverOutputParser.TryParse(
            DriverFormat.RunnelProduce,
            "523410 records sent, 104682.0 records/sec (102.23 MB/sec), 12.3 ms avg latency, 95.0 ms max latency.",
            out _));
    }

    [Fact]
    public void Runnel_consume_row_gives_count_and_rate_without_latency()
    {
        const string output = """
            start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
            2024-05-01 10:00:00:123, 2024-05-01 10:00:09:456, 1953.1250, 209.2676, 2000000, 214293.3676, 0, 9333, 209.2676, 214293.3676
            """;

        Assert.True(DriverOutputParser.TryParse(DriverFormat.RunnelConsume, output, out var result));
        Assert.Equal(new DriverResult(2000000, 214293.3676, null, null, null), result);
    }

    [Fact]
    public void Fixed_rate_line_gives_percentiles()
    {
        const string output = "102400 records, 10239.8 records/sec (10.00 MB/sec), latency ms: avg 1.52, p50 1.20, p95 2.80, p99 4.50, p99.9 9.75, max 20.10\n";

        Assert.True(DriverOutputParser.TryParse(DriverFormat.Latency, output, out var result));
        Assert.Equal(new DriverResult(102400, 10239.8, 1.2, 4.5, 9.75), result);
    }

    [Fact]
    public void Consume_line_without_latency_parses_with_no_percentiles()
    {
        Assert.True(DriverOutputParser.TryParse(DriverFormat.Latency, "5000 records, 2500.0 records/sec (2.44 MB/sec)", out var result));
        Assert.Equal(new DriverResult(5000, 2500, null, null, null), result);
    }

    [Fact]
    public void Round_trip_lines_give_rate_from_average_latency()
    {
        const string output = """
            Avg latency: 0.5000 ms
            Percentiles: 50th = 0, 99th = 2, 99.9th = 4
            """;

        Assert.True(DriverOutputParser.TryParse(DriverFormat.Latency, output, out var result));
        Assert.Equal(new DriverResult(null, 2000, 0, 2, 4), result);
    }

    [Fact]
    public void Round_trip_percentiles_to_the_microsecond_win_over_Kafkas_whole_milliseconds()
    {
        const string output = """
            Avg latency: 0.4000 ms
            Percentiles: 50th = 0, 99th = 1, 99.9th = 3
            2000 records, latency ms: p50 0.312, p95 0.610, p99 1.250, p99.9 3.100, max 4.000
            """;

        Assert.True(DriverOutputParser.TryParse(DriverFormat.Latency, output, out var result));
        Assert.Equal(new DriverResult(null, 2500, 0.312, 1.25, 3.1), result);
    }

    [Fact]
    public void Redis_benchmark_csv_gives_rps_and_percentiles_but_no_p999()
    {
        const string output = """
            "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
            "XRANGE bench - + COUNT 100","559.75","6.105","0.344","2.559","23.407","46.751","80.447"
            """;

        Assert.True(DriverOutputParser.TryParse(DriverFormat.RedisBenchmark, output, out var result));
        Assert.Equal(new DriverResult(null, 559.75, 2.559, 46.751, null), result);
    }

    [Fact]
    public void Redis_benchmark_test_name_with_commas_still_aligns_columns()
    {
        const string output = """
            "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
            XADD bench * v a,b,"100.5","1","0.1","0.9","2","3","4"
            """;

        Assert.True(DriverOutputParser.TryParse(DriverFormat.RedisBenchmark, output, out var result));
        Assert.Equal(100.5, result.RecordsPerSec);
        Assert.Equal(3, result.P99Ms);
    }

    [Fact]
    public void Output_without_a_summary_does_not_parse()
    {
        Assert.False(DriverOutputParser.TryParse(DriverFormat.RedisBenchmark, "Could not connect to Redis at 127.0.0.1:6379", out _));
        Assert.False(DriverOutputParser.TryParse(DriverFormat.Latency, "", out _));
        Assert.False(DriverOutputParser.TryParse(DriverFormat.RunnelConsume, "start.time, end.time\n", out _));
    }
}
