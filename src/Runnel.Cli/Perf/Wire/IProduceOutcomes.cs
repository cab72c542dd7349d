namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// Where wire producers report what became of their records, per batch (never per record).
/// <see cref="Sent"/> is called on the event-loop thread; <see cref="Acknowledged"/> and
/// <see cref="Failed"/> on the connections' receive loops, concurrently: implementations count
/// with interlocked operations.
/// </summary>
internal interface IProduceOutcomes
{
    /// <summary><paramref name="records"/> went out in a Produce request.</summary>
    void Sent(int records);

    /// <summary>
    /// The broker stored the batch of <paramref name="records"/> that <paramref name="producer"/> sent
    /// at <paramref name="sentAt"/> (the Stopwatch time its request went to the socket).
    /// </summary>
    void Acknowledged(int producer, int records, long sentAt);

    /// <summary>The batch of <paramref name="records"/> was refused (a Kafka error code by name) or its connection failed.</summary>
    void Failed(int producer, int records, string code, string reason);
}
