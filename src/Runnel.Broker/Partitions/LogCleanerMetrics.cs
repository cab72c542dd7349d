using System.Diagnostics.Metrics;
using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;

namespace Runnel.Broker.Partitions;

/// <summary>
/// The log cleaner's metrics on the broker's meter, named after Kafka's (<c>kafka.log:type=LogCleaner</c>
/// and <c>LogCleanerManager</c>) plus per-partition progress Kafka keeps only in its checkpoint file.
/// Observed at collection time from the live cleaner (a dynamic reconfiguration replaces it).
/// </summary>
public static class LogCleanerMetrics
{
    public const string Prefix = "runnel.log_cleaner.";

    public static void Register(Meter meter, LogManager logs)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(logs);
        meter.CreateObservableGauge(Prefix + "max_dirty_ratio", () => Observe(logs, static c => c.MaxDirtyRatio),
            description: "Highest dirty ratio of a compacted log at the cleaner's last choice (Kafka: max-dirty-percent / 100).");
        meter.CreateObservableGauge(Prefix + "max_compaction_delay", () => Observe(logs, static c => c.MaxCompactionDelayMs / 1000.0), unit: "s",
            description: "How far past max.compaction.lag.ms the oldest dirty record was at the last choice (Kafka: max-compaction-delay-secs).");
        meter.CreateObservableGauge(Prefix + "max_buffer_utilization", () => Observe(logs, static c => c.MaxBufferUtilization),
            description: "Fraction of the dedupe buffer filled by the last clean (Kafka: max-buffer-utilization-percent / 100).");
        meter.CreateObservableGauge(Prefix + "recopy_ratio", () => Observe(logs, static c => c.LastRecopyRatio),
            description: "Bytes written over bytes read by the last clean (Kafka: cleaner-recopy-percent / 100).");
        meter.CreateObservableGauge(Prefix + "max_clean_time", () => Observe(logs, static c => c.MaxCleanSeconds), unit: "s",
            description: "Duration of the last clean (Kafka: max-clean-time-secs).");
        meter.CreateObservableGauge(Prefix + "time_since_last_run", () => Observe(logs, static c => c.TimeSinceLastRun.TotalMilliseconds), unit: "ms",
            description: "Since a cleaner thread last ran (Kafka: time-since-last-run-ms).");
        meter.CreateObservableGauge(Prefix + "dead_threads", () => Observe(logs, static c => (double)c.DeadThreadCount),
            description: "Cleaner threads stopped by an unexpected error (Kafka: DeadThreadCount).");
        meter.CreateObservableGauge(Prefix + "uncleanable_partitions", () => Observe(logs, static c => (double)c.UncleanablePartitionCount),
            description: "Partitions skipped after a failed clean (Kafka: uncleanable-partitions-count).");

        meter.CreateObservableGauge(Prefix + "partition.dirty_ratio", () => ObservePartitions(logs, static s => s.DirtyRatio),
            description: "Cleanable bytes over clean plus cleanable bytes of a compacted partition.");
        meter.CreateObservableGauge(Prefix + "partition.first_dirty_offset", () => ObservePartitions(logs, static s => s.FirstDirtyOffset),
            description: "The cleaner checkpoint of a compacted partition: everything below it is clean.");
        meter.CreateObservableGauge(Prefix + "partition.read", () => ObservePartitions(logs, static s => s.TotalBytesRead), unit: "By",
            description: "Bytes the cleaner read from the partition since start-up.");
        meter.CreateObservableGauge(Prefix + "partition.written", () => ObservePartitions(logs, static s => s.TotalBytesWritten), unit: "By",
            description: "Bytes the cleaner wrote for the partition since start-up.");
        meter.CreateObservableGauge(Prefix + "partition.last_run", () => ObservePartitions(logs, static s => s.LastRun?.ToUnixTimeMilliseconds() / 1000.0 ?? 0), unit: "s",
            description: "Unix time the last clean of the partition finished (0: not since start-up).");
    }

    private static IEnumerable<Measurement<double>> Observe(LogManager logs, Func<LogCleanerService, double> value) =>
        logs.Cleaner is { } cleaner ? [new Measurement<double>(value(cleaner))] : [];

    private static IEnumerable<Measurement<double>> ObservePartitions(LogManager logs, Func<CleanerPartitionStatus, double> value)
    {
        if (logs.Cleaner is not { } cleaner)
        {
            yield break;
        }

        foreach (var log in logs.AllLogs)
        {
            if (cleaner.Describe(log) is { } status)
            {
                yield return new Measurement<double>(value(status),
                    new KeyValuePair<string, object?>("topic", log.TopicPartition.Topic),
                    new KeyValuePair<string, object?>("partition", log.TopicPartition.Partition));
            }
        }
    }
}
