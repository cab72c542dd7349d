using System.Diagnostics;
using System.Globalization;

namespace Runnel.Cli.Perf;

/// <summary>
/// The running totals of <c>runnel perf produce</c>, printed as Kafka's <c>ProducerPerformance.Stats</c>
/// prints them: a progress line per reporting window (checked when a record completes, as Kafka does)
/// and a final summary line with percentiles. Latencies are kept in microseconds; the lines keep
/// Kafka's exact wording and number formats, so scripts that parse Kafka's output parse ours.
/// On an interactive terminal (a <see cref="PerfProgress"/> given) the window lines give way to one
/// line updated in place: records so far, the rate over the last refresh and its average latency.
/// </summary>
/// <remarks>Not thread-safe: the caller serializes <c>Record</c>.</remarks>
internal sealed class ProducerPerfStats
{
    private readonly TextWriter _output;
    private readonly PerfProgress? _live;
    private readonly long _reportingIntervalTicks;
    private readonly long _start;

    private long _windowStart;
    private long _windowCount;
    private long _windowBytes;
    private long _windowTotalLatency;
    private long _windowMaxLatency;

    /// <param name="output">Where window lines go.</param>
    /// <param name="reportingInterval">Kafka's reporting interval between window lines.</param>
    /// <param name="startTimestamp">When the run started.</param>
    /// <param name="live">An interactive progress line to update instead of printing window lines; null for Kafka's lines.</param>
    public ProducerPerfStats(TextWriter output, TimeSpan reportingInterval, long startTimestamp, PerfProgress? live = null)
    {
        _output = output;
        _live = live;
        _reportingIntervalTicks = live?.IntervalTicks ?? (long)(reportingInterval.TotalSeconds * Stopwatch.Frequency);
        _start = startTimestamp;
        _windowStart = startTimestamp;
    }

    /// <summary>Every completed record's latency in microseconds.</summary>
    public LatencyHistogram Latencies { get; } = new();

    public long Count => Latencies.Count;

    public long Bytes { get; private set; }

    public void Record(long latencyMicros, int bytes, long nowTimestamp) => Record(latencyMicros, bytes, nowTimestamp, 1);

    /// <summary>Records <paramref name="records"/> records of <paramref name="bytesEach"/> bytes that completed together with one latency.</summary>
    public void Record(long latencyMicros, long bytesEach, long nowTimestamp, int records)
    {
        Latencies.Record(latencyMicros, records);
        Bytes += bytesEach * records;
        _windowCount += records;
        _windowBytes += bytesEach * records;
        _windowTotalLatency += latencyMicros * records;
        _windowMaxLatency = Math.Max(_windowMaxLatency, latencyMicros);

        if (nowTimestamp - _windowStart >= _reportingIntervalTicks)
        {
            double windowMs = ElapsedMs(_windowStart, nowTimestamp);
            if (_live is not null)
            {
                _live.Report(
                    PerfProgress.Format(Count, _windowCount, _windowBytes, windowMs, string.Create(CultureInfo.InvariantCulture, $", {_windowTotalLatency / 1000.0 / _windowCount:F1} ms avg latency")),
                    nowTimestamp);
            }
            else
            {
                _output.WriteLine(FormatWindow(_windowCount, _windowBytes, windowMs, _windowTotalLatency, _windowMaxLatency));
            }

            _windowStart = nowTimestamp;
            _windowCount = 0;
            _windowBytes = 0;
            _windowTotalLatency = 0;
            _windowMaxLatency = 0;
        }
    }

    /// <summary>Wipes the interactive progress line before the summary is written.</summary>
    public void ClearProgress() => _live?.Clear();

    public ProducerPerfSummary Summarize(long nowTimestamp)
    {
        LatencyHistogram h = Latencies;
        return new ProducerPerfSummary(
            h.Count,
            Bytes,
            ElapsedMs(_start, nowTimestamp),
            h.Mean / 1000.0,
            h.Max / 1000.0,
            h.ValueAtQuantile(0.5) / 1000.0,
            h.ValueAtQuantile(0.95) / 1000.0,
            h.ValueAtQuantile(0.99) / 1000.0,
            h.ValueAtQuantile(0.999) / 1000.0);
    }

    /// <summary>
    /// Kafka's progress line: <c>N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency.</c>
    /// (<c>%d</c>, <c>%.1f</c>, <c>%.2f</c>, <c>%.1f</c>, <c>%.1f</c>; MB is 2^20 bytes).
    /// </summary>
    internal static string FormatWindow(long count, long bytes, double elapsedMs, long totalLatencyMicros, long maxLatencyMicros)
    {
        double recordsPerSec = 1000.0 * count / elapsedMs;
        double mbPerSec = 1000.0 * bytes / elapsedMs / (1024.0 * 1024.0);
        double avgMs = count == 0 ? 0 : totalLatencyMicros / 1000.0 / count;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{count} records sent, {recordsPerSec:F1} records/sec ({mbPerSec:F2} MB/sec), {avgMs:F1} ms avg latency, {maxLatencyMicros / 1000.0:F1} ms max latency.");
    }

    internal static double ElapsedMs(long fromTimestamp, long toTimestamp) =>
        Math.Max(1, (toTimestamp - fromTimestamp) * 1000.0 / Stopwatch.Frequency);
}
