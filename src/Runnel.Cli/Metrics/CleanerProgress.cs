using System.Globalization;
using System.Text;

namespace Runnel.Cli.Metrics;

/// <summary>
/// The log cleaner's progress on one partition, from the broker's per-partition gauges
/// (<c>runnel.log_cleaner.partition.*</c>, as the Prometheus endpoint names them). A value the
/// scrape did not have is null and prints as N/A.
/// </summary>
/// <param name="DirtyRatio">Cleanable bytes over clean plus cleanable bytes.</param>
/// <param name="FirstDirtyOffset">The cleaner checkpoint: every offset below it is clean.</param>
/// <param name="LastRunUnixSeconds">When the last clean of the partition finished; 0 when none has since the broker started.</param>
/// <param name="BytesRead">Bytes the cleaner read from the partition since the broker started.</param>
/// <param name="BytesWritten">Bytes the cleaner wrote for the partition since the broker started.</param>
internal sealed record CleanerProgress(double? DirtyRatio, double? FirstDirtyOffset, double? LastRunUnixSeconds, double? BytesRead, double? BytesWritten)
{
    // The names the broker's exporter gives the gauges (runnel.log_cleaner.partition.* with their
    // units appended, OpenTelemetry style); the CLI end-to-end tests scrape a real broker to keep
    // them in step.
    internal const string DirtyRatioMetric = "runnel_log_cleaner_partition_dirty_ratio";
    internal const string FirstDirtyOffsetMetric = "runnel_log_cleaner_partition_first_dirty_offset";
    internal const string LastRunMetric = "runnel_log_cleaner_partition_last_run_seconds";
    internal const string BytesReadMetric = "runnel_log_cleaner_partition_read_bytes";
    internal const string BytesWrittenMetric = "runnel_log_cleaner_partition_written_bytes";

    private const string NotAvailable = "N/A";

    private static readonly CleanerProgress s_unknown = new(null, null, null, null, null);
    private static readonly long s_maxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>
    /// The progress of every partition the samples describe, keyed by topic and partition; samples
    /// of other metrics, or without a <c>topic</c> and integer <c>partition</c> label, are ignored.
    /// </summary>
    public static Dictionary<(string Topic, int Partition), CleanerProgress> FromSamples(IEnumerable<PrometheusSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        Dictionary<(string Topic, int Partition), CleanerProgress> progress = [];
        foreach (PrometheusSample sample in samples)
        {
            if (sample.Label("topic") is not { } topic
                || !int.TryParse(sample.Label("partition"), NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
            {
                continue;
            }

            CleanerProgress current = progress.GetValueOrDefault((topic, partition), s_unknown);
            CleanerProgress? updated = sample.Name switch
            {
                DirtyRatioMetric => current with { DirtyRatio = sample.Value },
                FirstDirtyOffsetMetric => current with { FirstDirtyOffset = sample.Value },
                LastRunMetric => current with { LastRunUnixSeconds = sample.Value },
                BytesReadMetric => current with { BytesRead = sample.Value },
                BytesWrittenMetric => current with { BytesWritten = sample.Value },
                _ => null,
            };
            if (updated is not null)
            {
                progress[(topic, partition)] = updated;
            }
        }

        return progress;
    }

    /// <summary>
    /// The progress of a partition the scrape had nothing for (a partition the cleaner does not
    /// track, or a broker with the cleaner off): every field N/A.
    /// </summary>
    public static CleanerProgress Unknown => s_unknown;

    /// <summary>
    /// Appends the partition-line fields: <c>\tDirtyRatio: 0.42\tCleanedUpTo: 120\tLastCleaned:
    /// 2025-01-31T12:00:00.000Z\tCleanerRead: 4096\tCleanerWritten: 1024</c> (LastCleaned is
    /// <c>never</c> before the first clean since the broker started).
    /// </summary>
    public void AppendTo(StringBuilder text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text.Append("\tDirtyRatio: ").Append(Finite(DirtyRatio) is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : NotAvailable)
            .Append("\tCleanedUpTo: ").Append(Whole(FirstDirtyOffset))
            .Append("\tLastCleaned: ").Append(LastCleaned())
            .Append("\tCleanerRead: ").Append(Whole(BytesRead))
            .Append("\tCleanerWritten: ").Append(Whole(BytesWritten));
    }

    private string LastCleaned()
    {
        if (Finite(LastRunUnixSeconds) is not { } seconds)
        {
            return NotAvailable;
        }

        if (seconds <= 0)
        {
            return "never";
        }

        if (seconds > s_maxUnixSeconds)
        {
            return NotAvailable;
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000))
            .ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    private static string Whole(double? value) =>
        Finite(value) is { } finite ? ((long)Math.Round(finite)).ToString(CultureInfo.InvariantCulture) : NotAvailable;

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
