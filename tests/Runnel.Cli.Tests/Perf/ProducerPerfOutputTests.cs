using System.Diagnostics;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Perf;

public class ProducerPerfOutputTests
{
    [Fact]
    public void Progress_line_uses_kafka_wording_and_precision()
    {
        // 1000 records of 1 KiB in 500 ms; latencies sum to 2.5 s, max 12.34 ms.
        string line = ProducerPerfStats.FormatWindow(1000, 1000 * 1024, 500, 2_500_000, 12_340);
        Assert.Equal("1000 records sent, 2000.0 records/sec (1.95 MB/sec), 2.5 ms avg latency, 12.3 ms max latency.", line);
    }

    [Fact]
    public void Final_line_uses_kafka_wording_and_precision()
    {
        ProducerPerfSummary summary = new(
            Count: 100_000, Bytes: 100_000 * 100, ElapsedMs: 2_000, AvgLatencyMs: 3.14159, MaxLatencyMs: 45.678,
            P50Ms: 2.9, P95Ms: 7.2, P99Ms: 12.999, P999Ms: 40.5);

        Assert.Equal(
            "100000 records sent, 50000.000000 records/sec (4.77 MB/sec), 3.14 ms avg latency, 45.68 ms max latency, 2 ms 50th, 7 ms 95th, 12 ms 99th, 40 ms 99.9th.",
            summary.Format());
    }

    [Fact]
    public void Stats_print_a_progress_line_once_the_reporting_interval_has_passed()
    {
        StringWriter output = new();
        long start = 0;
        long second = Stopwatch.Frequency;
        ProducerPerfStats stats = new(output, TimeSpan.FromSeconds(1), start);

        stats.Record(1_000, 10, second / 2);
        Assert.Equal(string.Empty, output.ToString());

        stats.Record(3_000, 10, second);
        Assert.Equal("2 records sent, 2.0 records/sec (0.00 MB/sec), 2.0 ms avg latency, 3.0 ms max latency.\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Summary_reports_totals_over_the_whole_run()
    {
        long second = Stopwatch.Frequency;
        ProducerPerfStats stats = new(TextWriter.Null, TimeSpan.FromSeconds(1), 0);
        stats.Record(1_000, 100, second / 4);
        stats.Record(2_000, 100, second / 2);
        stats.Record(9_000, 100, second * 3 / 4);

        ProducerPerfSummary summary = stats.Summarize(second);

        Assert.Equal(3, summary.Count);
        Assert.Equal(300, summary.Bytes);
        Assert.Equal(3.0, summary.RecordsPerSec, 6);
        Assert.Equal(4.0, summary.AvgLatencyMs, 6);
        Assert.Equal(9.0, summary.MaxLatencyMs, 6);

        // Percentiles come from histogram buckets: at most 1/128 above the recorded value.
        Assert.InRange(summary.P50Ms, 2.0, 2.0 * (1 + (1 / 128.0)));
        Assert.InRange(summary.P99Ms, 9.0, 9.0 * (1 + (1 / 128.0)));
    }
}
