using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Perf;

public class EndToEndLatencyOutputTests
{
    [Fact]
    public void Kafka_lines_use_its_formats()
    {
        Assert.Equal("Avg latency: 1.2346 ms", EndToEndLatencySummary.FormatKafkaAverage(1.23456));
        Assert.Equal("Percentiles: 50th = 1, 99th = 12, 99.9th = 115", EndToEndLatencySummary.FormatKafkaPercentiles(1, 12, 115));
    }

    [Fact]
    public void Kafka_percentile_is_the_sample_at_index_n_times_q()
    {
        long[] sorted = [.. Enumerable.Range(0, 1000).Select(i => (long)i)];

        Assert.Equal(500, EndToEndLatencySummary.KafkaPercentile(sorted, 0.5));
        Assert.Equal(990, EndToEndLatencySummary.KafkaPercentile(sorted, 0.99));
        Assert.Equal(999, EndToEndLatencySummary.KafkaPercentile(sorted, 0.999));
        Assert.Equal(7, EndToEndLatencySummary.KafkaPercentile([7], 0.999));
        Assert.Equal(0, EndToEndLatencySummary.KafkaPercentile([], 0.5));
    }

    [Fact]
    public void Summary_lines_give_milliseconds_with_three_decimals()
    {
        LatencyHistogram latencies = new();
        foreach (long micros in new long[] { 100, 200, 300, 400, 1500 })
        {
            latencies.Record(micros);
        }

        EndToEndLatencySummary summary = EndToEndLatencySummary.From(latencies, bytes: 5L * 1024 * 1024, elapsedMs: 2000);

        string percentiles = $"p50 {Expected(latencies, 0.5)}, p95 {Expected(latencies, 0.95)}, p99 {Expected(latencies, 0.99)}, p99.9 {Expected(latencies, 0.999)}, max 1.500";
        Assert.Equal("5 records, latency ms: " + percentiles, summary.FormatLatencies());
        Assert.Equal(
            "5 records, 2.5 records/sec (2.50 MB/sec), latency ms: avg 0.500, " + percentiles,
            summary.FormatFixedRate());
    }

    [Fact]
    public void Progress_lines_are_written_whole_when_output_is_redirected()
    {
        using StringWriter output = new();
        PerfProgress progress = new(output, interactive: false, TimeSpan.FromSeconds(1), startTimestamp: 0);

        progress.Report(PerfProgress.Format(3000, 1000, 1024 * 1024, 500, ", p99 1.250 ms"), 10);
        progress.Clear();

        Assert.Equal("3000 records, 2000.0 records/sec (2.00 MB/sec), p99 1.250 ms" + Environment.NewLine, output.ToString());
        Assert.Equal(10, progress.LastTimestamp);
    }

    [Fact]
    public void Interactive_progress_rewrites_one_line_and_clears_it()
    {
        using StringWriter output = new();
        PerfProgress progress = new(output, interactive: true, TimeSpan.FromSeconds(5), startTimestamp: 0);

        progress.Report("long line", 1);
        progress.Report("short", 2);
        progress.Clear();

        Assert.Equal("\rlong line\rshort    \r     \r", output.ToString());
        Assert.Equal((long)(PerfProgress.InteractiveRefresh.TotalSeconds * System.Diagnostics.Stopwatch.Frequency), progress.IntervalTicks);
    }

    private static string Expected(LatencyHistogram latencies, double quantile) =>
        (latencies.ValueAtQuantile(quantile) / 1000.0).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
}
