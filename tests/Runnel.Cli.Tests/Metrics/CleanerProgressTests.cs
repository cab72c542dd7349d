using System.Text;
using Runnel.Cli.Metrics;

namespace Runnel.Cli.Tests.Metrics;

public class CleanerProgressTests
{
    private static string Fields(CleanerProgress progress)
    {
        StringBuilder text = new();
        progress.AppendTo(text);
        return text.ToString();
    }

    [Fact]
    public void Per_partition_gauges_are_gathered_by_topic_and_partition()
    {
        Dictionary<(string Topic, int Partition), CleanerProgress> progress = CleanerProgress.FromSamples(PrometheusTextParser.Parse(
            "# TYPE runnel_log_cleaner_partition_dirty_ratio gauge\n" +
            "runnel_log_cleaner_partition_dirty_ratio{partition=\"0\",topic=\"orders\"} 0.4166\n" +
            "runnel_log_cleaner_partition_dirty_ratio{partition=\"1\",topic=\"orders\"} 0\n" +
            "runnel_log_cleaner_partition_first_dirty_offset{partition=\"0\",topic=\"orders\"} 120\n" +
            "runnel_log_cleaner_partition_last_run_seconds{partition=\"0\",topic=\"orders\"} 1738324800.5\n" +
            "runnel_log_cleaner_partition_read_bytes{partition=\"0\",topic=\"orders\"} 4096\n" +
            "runnel_log_cleaner_partition_written_bytes{partition=\"0\",topic=\"orders\"} 1024\n" +
            "runnel_log_cleaner_max_dirty_ratio 0.9\n" +
            "runnel_network_requests_total{topic=\"orders\",partition=\"0\"} 5\n" +
            "runnel_log_cleaner_partition_dirty_ratio{topic=\"orders\",partition=\"x\"} 1\n"));

        Assert.Equal([("orders", 0), ("orders", 1)], progress.Keys.Order());
        Assert.Equal(new CleanerProgress(0.4166, 120, 1738324800.5, 4096, 1024), progress[("orders", 0)]);
        Assert.Equal(new CleanerProgress(0, null, null, null, null), progress[("orders", 1)]);
    }

    [Fact]
    public void Fields_print_ratio_offset_time_and_bytes()
    {
        Assert.Equal(
            "\tDirtyRatio: 0.42\tCleanedUpTo: 120\tLastCleaned: 2025-01-31T12:00:00.500Z\tCleanerRead: 4096\tCleanerWritten: 1024",
            Fields(new CleanerProgress(0.4166, 120, 1738324800.5, 4096, 1024)));
    }

    [Fact]
    public void A_partition_not_cleaned_since_start_up_was_cleaned_never()
    {
        Assert.Equal(
            "\tDirtyRatio: 1.00\tCleanedUpTo: 0\tLastCleaned: never\tCleanerRead: 0\tCleanerWritten: 0",
            Fields(new CleanerProgress(1, 0, 0, 0, 0)));
    }

    [Fact]
    public void Missing_and_non_finite_values_print_as_not_available()
    {
        Assert.Equal(
            "\tDirtyRatio: N/A\tCleanedUpTo: N/A\tLastCleaned: N/A\tCleanerRead: N/A\tCleanerWritten: N/A",
            Fields(CleanerProgress.Unknown));
        Assert.Equal(
            "\tDirtyRatio: N/A\tCleanedUpTo: N/A\tLastCleaned: N/A\tCleanerRead: N/A\tCleanerWritten: N/A",
            Fields(new CleanerProgress(double.NaN, double.PositiveInfinity, 1e300, double.NegativeInfinity, double.NaN)));
    }
}
