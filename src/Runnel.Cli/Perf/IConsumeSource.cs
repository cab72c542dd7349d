namespace Runnel.Cli.Perf;

/// <summary>Records one poll of an <see cref="IConsumeSource"/> delivered, and their key and value bytes.</summary>
internal readonly record struct ConsumedChunk(long Records, long Bytes);

/// <summary>
/// Where <c>runnel perf consume</c> reads from: a Confluent.Kafka consumer (<see cref="KafkaConsumeSource"/>,
/// what Kafka's tool measures) or Runnel's own fetch loop (<see cref="Wire.WireConsumeSource"/>, what the
/// broker serves to a client that does no more per record than count it).
/// </summary>
internal interface IConsumeSource : IDisposable
{
    /// <summary>Ticks from <see cref="Start"/> to the group's first assignment; -1 without a group (or before it).</summary>
    long JoinTicks { get; }

    /// <summary>Starts reading (subscribes or assigns); <paramref name="startTimestamp"/> is the run's start, for <see cref="JoinTicks"/>.</summary>
    void Start(long startTimestamp);

    /// <summary>Waits up to <paramref name="wait"/> for records and counts at most <paramref name="maxRecords"/> of them.</summary>
    ValueTask<ConsumedChunk> PollAsync(TimeSpan wait, long maxRecords, CancellationToken cancellationToken);

    /// <summary>Ends the run cleanly (a group member leaves its group).</summary>
    void Close();
}
