namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// One wire producer: its share of the schedule (records k, k + N, k + 2N, ... of N producers),
/// its connections (one per leader broker it needs) and where its next batch goes. Mutated by the
/// event-loop thread only, but for <see cref="MarkWaitingForRoom"/>/<see cref="TryClaimWake"/>,
/// the handshake with the receive loops.
/// </summary>
/// <remarks>
/// Batches rotate over the topic's partitions, one partition per batch, as Kafka's sticky
/// partitioner moves on for records without keys; like its adaptive form (KIP-794) it passes over a
/// partition whose connection has no free in-flight slot. Producer k starts at partition k mod P so
/// that producers spread from the first batch.
/// </remarks>
internal sealed class WireProducer
{
    private readonly int[] _partitions;
    private readonly WireProducerConnection[] _connectionOfPartition;
    private readonly WireProducerConnection[] _connections;
    private int _cursor;
    private int _waitingForRoom;

    public WireProducer(int index, int[] partitions, WireProducerConnection[] connectionOfPartition, WireProducerConnection[] connections)
    {
        Index = index;
        _partitions = partitions;
        _connectionOfPartition = connectionOfPartition;
        _connections = connections;
        _cursor = index % partitions.Length;
    }

    public int Index { get; }

    /// <summary>This producer's connections, one per leader broker.</summary>
    public IReadOnlyList<WireProducerConnection> Connections => _connections;

    /// <summary>How many of this producer's records have been sent: the next to send is its record <c>Sent</c> (of its own sequence).</summary>
    public long Sent { get; set; }

    /// <summary>The linger deadline this producer last queued a wake-up for; 0 when none is queued.</summary>
    public long QueuedLingerDeadline { get; set; }

    /// <summary>
    /// The partition the next batch goes to and its connection, moving the rotation past it; null
    /// (rotation unchanged) when no connection of this producer has a free in-flight slot.
    /// </summary>
    public WireProducerConnection? TakeNextPartition(out int partition)
    {
        partition = -1;
        if (!AnyRoom())
        {
            return null;
        }

        for (int tried = 0; tried < _partitions.Length; tried++)
        {
            int index = _cursor;
            _cursor = index + 1 == _partitions.Length ? 0 : index + 1;
            WireProducerConnection connection = _connectionOfPartition[index];
            if (connection.HasRoom)
            {
                partition = _partitions[index];
                return connection;
            }
        }

        return null;
    }

    /// <summary>
    /// The event loop found no free slot: ask the receive loops to wake it when one frees. The
    /// caller looks for room once more afterwards, since a slot may have freed just before.
    /// </summary>
    public void MarkWaitingForRoom() => Interlocked.Exchange(ref _waitingForRoom, 1);

    /// <summary>The event loop found room after all: no wake-up needed (one may still come; it is harmless).</summary>
    public void ClearWaitingForRoom() => Interlocked.Exchange(ref _waitingForRoom, 0);

    /// <summary>A receive loop freed a slot: true (once) when the event loop asked to be woken for it.</summary>
    public bool TryClaimWake() => Interlocked.Exchange(ref _waitingForRoom, 0) == 1;

    private bool AnyRoom()
    {
        foreach (WireProducerConnection connection in _connections)
        {
            if (connection.HasRoom)
            {
                return true;
            }
        }

        return false;
    }
}
