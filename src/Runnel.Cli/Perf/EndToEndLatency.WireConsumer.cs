using System.Buffers.Binary;
using System.Diagnostics;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Perf;

/// <summary>
/// Fixed-rate mode with <c>--wire-consumer</c>: the records are read by Runnel's own fetch loop
/// (<see cref="WireConsumeSource"/>, one Fetch at a time per leader, all partitions from their end)
/// instead of a librdkafka consumer, and each value's send time is read as the record is walked in
/// the response. The same stop rule and idle timeout as the librdkafka loop apply.
/// </summary>
internal sealed partial class EndToEndLatency
{
    /// <summary>
    /// The wire consumer's properties: the user's consumer properties over the tool's latency default
    /// <c>fetch.wait.max.ms=0</c> (as for the librdkafka consumer); the librdkafka consumer's other
    /// defaults (group, offset reset, commits) have no meaning for a consumer without a group.
    /// </summary>
    internal static Dictionary<string, string> BuildWireConsumerConfig(EndToEndLatencySettings settings)
    {
        Dictionary<string, string> config = new(settings.ConsumerConfig, StringComparer.Ordinal);
        config.TryAdd("fetch.wait.max.ms", "0");
        return config;
    }

    private async ValueTask<long> ConsumeOverWireAsync(
        WireConsumeSource source, ArrivalRecorder arrivals, PerfProgress progress, long start, CancellationToken cancellationToken)
    {
        long idleTicks = (long)(PollTimeout.TotalSeconds * Stopwatch.Frequency);
        arrivals.LastReceived = start;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (AllRecordsAccountedFor(arrivals.Latencies.Count))
            {
                return arrivals.LastReceived;
            }

            // Each fetch returns when data arrives or after fetch.wait.max.ms; the records are timed as they are walked.
            await source.PollAsync(TimeSpan.Zero, long.MaxValue, cancellationToken);
            long now = Stopwatch.GetTimestamp();
            if (now - arrivals.LastReceived > idleTicks && Interlocked.Read(ref _sent) > arrivals.Latencies.Count)
            {
                throw new ToolException($"poll() timed out before finding a result (timeout:[{PollTimeout.TotalMilliseconds}])");
            }

            if (progress.IsDue(now))
            {
                ReportProgress(progress, arrivals.Latencies, arrivals.TakeWindow(), now);
            }
        }
    }

    /// <summary>Records each delivered record's latency: its arrival minus the scheduled send time at the start of its value.</summary>
    private sealed class ArrivalRecorder(LatencyHistogram latencies, string topic) : IFetchedRecordSink
    {
        private long _window;

        public LatencyHistogram Latencies { get; } = latencies;

        /// <summary>When the last record arrived (Stopwatch ticks); the run's start until one has.</summary>
        public long LastReceived { get; set; }

        /// <summary>Records since the last call.</summary>
        public long TakeWindow()
        {
            long window = _window;
            _window = 0;
            return window;
        }

        public void Deliver(long offset, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            long now = Stopwatch.GetTimestamp();
            if (value.Length < TimestampBytes)
            {
                throw new ToolException($"Error: a record at offset {offset} of {topic} carries no send time: is another producer writing to {topic}?");
            }

            Latencies.Record((long)((now - BinaryPrimitives.ReadInt64LittleEndian(value)) * s_microsPerTick));
            LastReceived = now;
            _window++;
        }
    }
}
