using System.Globalization;

namespace Runnel.Cli.Perf;

/// <summary>The outcome of a <c>runnel perf produce</c> run; latencies in milliseconds.</summary>
internal sealed record ProducerPerfSummary(
    long Count,
    long Bytes,
    double ElapsedMs,
    double AvgLatencyMs,
    double MaxLatencyMs,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double P999Ms)
{
    public double RecordsPerSec => 1000.0 * Count / ElapsedMs;

    public double MbPerSec => 1000.0 * Bytes / ElapsedMs / (1024.0 * 1024.0);

    /// <summary>
    /// Kafka's final line, format for format: <c>%d records sent, %f records/sec (%.2f MB/sec), %.2f ms avg
    /// latency, %.2f ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.</c> Percentiles are
    /// whole milliseconds, as Kafka's are (truncated).
    /// </summary>
    public string Format() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Count} records sent, {RecordsPerSec:F6} records/sec ({MbPerSec:F2} MB/sec), {AvgLatencyMs:F2} ms avg latency, {MaxLatencyMs:F2} ms max latency, {(long)P50Ms} ms 50th, {(long)P95Ms} ms 95th, {(long)P99Ms} ms 99th, {(long)P999Ms} ms 99.9th.");
}
