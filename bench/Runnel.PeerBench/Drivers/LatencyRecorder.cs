using System.Diagnostics;
using System.Globalization;

namespace Runnel.PeerBench.Drivers;

/// <summary>
/// Latencies of a fixed number of records, one slot per record (the counts here are small enough to
/// keep them all and sort, so percentiles are exact). Slots are written once each, from any thread.
/// </summary>
internal sealed class LatencyRecorder(long records)
{
    private readonly double[] _millis = new double[records];
    private long _recorded;

    public long Recorded => Interlocked.Read(ref _recorded);

    /// <summary>Records the latency of record <paramref name="index"/> from <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp) until now.</summary>
    public void Record(long index, long startTimestamp)
    {
        _millis[index] = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        Interlocked.Increment(ref _recorded);
    }

    /// <summary>The fixed-rate summary line that <c>runnel perf e2e</c> prints, so one parser reads both.</summary>
    public string Summary(long records, int recordSize, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var rate = records / seconds;
        var head = string.Create(CultureInfo.InvariantCulture, $"{records} records, {rate:F1} records/sec ({rate * recordSize / (1024 * 1024):F2} MB/sec)");
        if (Recorded == 0)
        {
            return head;
        }

        var sorted = _millis[..(int)Math.Min(Recorded, _millis.Length)];
        Array.Sort(sorted);
        return head + string.Create(
            CultureInfo.InvariantCulture,
            $", latency ms: avg {sorted.Average():F2}, p50 {Percentile(sorted, 0.50):F2}, p95 {Percentile(sorted, 0.95):F2}, p99 {Percentile(sorted, 0.99):F2}, p99.9 {Percentile(sorted, 0.999):F2}, max {sorted[^1]:F2}");
    }

    /// <summary>kafka-e2e-latency's two summary lines for round trips.</summary>
    public string RoundTripSummary()
    {
        var sorted = _millis[..(int)Math.Min(Recorded, _millis.Length)];
        Array.Sort(sorted);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Avg latency: {(sorted.Length == 0 ? 0 : sorted.Average()):F4} ms\nPercentiles: 50th = {Percentile(sorted, 0.50):F3}, 99th = {Percentile(sorted, 0.99):F3}, 99.9th = {Percentile(sorted, 0.999):F3}");
    }

    /// <summary>Nearest-rank percentile of sorted values (0 when empty).</summary>
    internal static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
