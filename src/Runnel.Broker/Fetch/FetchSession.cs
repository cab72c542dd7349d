namespace Runnel.Broker.Fetch;

/// <summary>
/// One incremental fetch session: its id, the epoch the next request must carry, and its
/// partitions in the order the client added them. Used by one connection's requests at a time,
/// serialised by <see cref="Gate"/> (a client may move a session to another connection).
/// </summary>
internal sealed class FetchSession
{
    public FetchSession(int id)
    {
        Id = id;
    }

    public int Id { get; }

    /// <summary>The epoch the next incremental request must carry.</summary>
    public int NextEpoch { get; set; } = 1;

    public long LastUsedTicks { get; set; }

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Partitions keyed by (topic, partition), kept in insertion order.</summary>
    public Dictionary<(string Topic, int Partition), FetchSessionPartition> Partitions { get; } = new();

    public List<FetchSessionPartition> Ordered { get; } = new();

    public FetchSessionPartition AddOrGet(string topic, Guid topicId, int partition)
    {
        if (!Partitions.TryGetValue((topic, partition), out var existing))
        {
            existing = new FetchSessionPartition(topic, topicId, partition);
            Partitions[(topic, partition)] = existing;
            Ordered.Add(existing);
        }

        return existing;
    }

    public void Remove(string topic, int partition)
    {
        if (Partitions.Remove((topic, partition), out var removed))
        {
            Ordered.Remove(removed);
        }
    }
}
