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

    /// <summary>
    /// The wire consumer's poll: one Fetch to each leader, which returns when data arrives or after
    /// fetch.wait.max.ms; the records are timed as the response is walked (the source's sink is
    /// <see cref="EndToEndArrivals"/>).
    /// </summary>
    private static Func<CancellationToken, ValueTask> PollOnce(WireConsumeSource source) =>
        async cancellationToken => await source.PollAsync(TimeSpan.Zero, long.MaxValue, cancellationToken);
}
