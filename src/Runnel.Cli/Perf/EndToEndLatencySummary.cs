using System.Globalization;

namespace Runnel.Cli.Perf;

/// <summary>The outcome of a <c>runnel perf e2e</c> run; latencies in milliseconds.</summary>
/// <param name="Count">Records measured.</param>
/// <param name="Bytes">Payload bytes of those records.</param>
/// <param name="ElapsedMs">From the first send to the last receive.</param>
/// <param name="AvgMs">Mean latency.</param>
/// <param name="P50Ms">Median latency.</param>
/// <param name="P95Ms">95th percentile latency.</param>
/// <param name="P99Ms">99th percentile latency.</param>
/// <param name="P999Ms">99.9th percentile latency.</param>
/// <param name="MaxMs">Highest latency.</param>
internal sealed record EndToEndLatencySummary(
    long Count,
    long Bytes,
    double ElapsedMs,
    double AvgMs,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs)
{
    public double RecordsPerSec => 1000.0 * Count / Math.Max(1, ElapsedMs);

    public double MbPerSec => 1000.0 * Bytes / Math.Max(1, ElapsedMs) / (1024.0 * 1024.0);

    /// <summary>Summarizes <paramref name="latencies"/> (microseconds).</summary>
    public static EndToEndLatencySummary From(LatencyHistogram latencies, long bytes, double elapsedMs)
    {
        ArgumentNullException.ThrowIfNull(latencies);
        return new EndToEndLatencySummary(
            latencies.Count,
            bytes,
            elapsedMs,
            latencies.Mean / 1000.0,
            latencies.ValueAtQuantile(0.5) / 1000.0,
            latencies.ValueAtQuantile(0.95) / 1000.0,
            latencies.ValueAtQuantile(0.99) / 1000.0,
            latencies.ValueAtQuantile(0.999) / 1000.0,
            latencies.Max / 1000.0);
    }

    /// <summary>Kafka's EndToEndLatency first result line: <c>Avg latency: %.4f ms</c>.</summary>
    public static string FormatKafkaAverage(double avgMs) =>
        string.Create(CultureInfo.InvariantCulture, $"Avg latency: {avgMs:F4} ms");

    /// <summary>
    /// Kafka's second result line: <c>Percentiles: 50th = %d, 99th = %d, 99.9th = %d</c>, whole
    /// milliseconds (each latency truncated) picked from the sorted samples by <see cref="KafkaPercentile"/>.
    /// </summary>
    public static string FormatKafkaPercentiles(long p50, long p99, long p999) =>
        string.Create(CultureInfo.InvariantCulture, $"Percentiles: 50th = {p50}, 99th = {p99}, 99.9th = {p999}");

    /// <summary>Kafka's pick: the element at index <c>(int)(n * q)</c> of the ascending samples.</summary>
    public static long KafkaPercentile(long[] sortedMs, double quantile)
    {
        ArgumentNullException.ThrowIfNull(sortedMs);
        return sortedMs.Length == 0 ? 0 : sortedMs[Math.Min(sortedMs.Length - 1, (int)(sortedMs.Length * quantile))];
    }

    /// <summary>Runnel's line after Kafka's two: <c>N records, latency ms: p50 A, p95 B, p99 C, p99.9 D, max E</c> (<c>%.3f</c>).</summary>
    public string FormatLatencies() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Count} records, latency ms: p50 {P50Ms:F3}, p95 {P95Ms:F3}, p99 {P99Ms:F3}, p99.9 {P999Ms:F3}, max {MaxMs:F3}");

    /// <summary>
    /// The fixed-rate summary: <c>N records, X records/sec (Y MB/sec), latency ms: avg A, p50 B, p95 C,
    /// p99 D, p99.9 E, max F</c> (<c>%.1f</c>, <c>%.2f</c>, latencies <c>%.3f</c>; MB = 2^20 bytes).
    /// </summary>
    public string FormatFixedRate() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Count} records, {RecordsPerSec:F1} records/sec ({MbPerSec:F2} MB/sec), latency ms: avg {AvgMs:F3}, p50 {P50Ms:F3}, p95 {P95Ms:F3}, p99 {P99Ms:F3}, p99.9 {P999Ms:F3}, max {MaxMs:F3}");
}
