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
        WireConsumeSource source, EndToEndArrivals arrivals, PerfProgress progress, long start, CancellationToken cancellationToken)
    {
        long idleTicks = (long)(PollTimeout.TotalSeconds * Stopwatch.Frequency);
        arrivals.LastReceived = start;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (AllRecordsAccountedFor(arrivals.Arrived))
            {
                return arrivals.LastReceived;
            }

            // Each fetch returns when data arrives or after fetch.wait.max.ms; the records are timed as they are walked.
            await source.PollAsync(TimeSpan.Zero, long.MaxValue, cancellationToken);
            long now = Stopwatch.GetTimestamp();
            if (now - arrivals.LastReceived > idleTicks && Interlocked.Read(ref _sent) > arrivals.Arrived)
            {
                throw new ToolException($"poll() timed out before finding a result (timeout:[{PollTimeout.TotalMilliseconds}])");
            }

            if (progress.IsDue(now))
            {
                ReportProgress(progress, arrivals.Latencies, arrivals.TakeWindow(), now);
            }
        }
    }
}
