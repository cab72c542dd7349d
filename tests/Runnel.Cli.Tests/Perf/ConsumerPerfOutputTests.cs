using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Perf;

public class ConsumerPerfOutputTests
{
    [Fact]
    public void Header_lists_kafka_columns()
    {
        Assert.Equal(
            "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec",
            ConsumerPerformance.FormatHeader(showDetailedStats: false));
        Assert.StartsWith("time, threadId, data.consumed.in.MB", ConsumerPerformance.FormatHeader(showDetailedStats: true), StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_row_matches_kafka_formats()
    {
        // 100 MiB and 102400 records in 4 s, 1 s of it joining the group.
        string row = ConsumerPerformance.FormatSummary("S", "E", 100L * 1024 * 1024, 102_400, 4_000, 1_000);
        Assert.Equal("S, E, 100.0000, 25.0000, 102400, 25600.0000, 1000, 3000, 33.3333, 34133.3333", row);
    }

    [Fact]
    public void Summary_row_prints_infinity_like_java_when_fetch_time_is_zero()
    {
        string row = ConsumerPerformance.FormatSummary("S", "E", 1024 * 1024, 1, 5, 5);
        Assert.EndsWith(", 5, 0, Infinity, Infinity", row, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_row_reports_the_interval_rates()
    {
        // 20 MiB total, 10 MiB and 1000 records of it in this 2 s interval, no join time.
        string row = ConsumerPerformance.FormatProgress("T", 20L * 1024 * 1024, 10L * 1024 * 1024, 3000, 2000, 2000, 0);
        Assert.Equal("T, 0, 20.0000, 5.0000, 3000, 500.0000, 0, 2000, 5.0000, 500.0000", row);
    }

    [Fact]
    public void Kafka_default_date_format_converts_to_dotnet()
    {
        string format = JavaDateFormat.ToDotNet(JavaDateFormat.KafkaDefault);
        DateTime time = new(2024, 3, 5, 7, 8, 9, 45, DateTimeKind.Local);
        Assert.Equal("2024-03-05 07:08:09:045", time.ToString(format, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Quoted_text_and_am_pm_convert()
    {
        string format = JavaDateFormat.ToDotNet("hh 'o''clock' a");
        DateTime time = new(2024, 3, 5, 15, 0, 0, DateTimeKind.Local);
        Assert.Equal("03 o'clock PM", time.ToString(format, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Unsupported_date_letters_are_rejected()
    {
        Assert.Throws<Runnel.Cli.Kafka.ToolException>(() => JavaDateFormat.ToDotNet("yyyy-ww"));
    }
}
