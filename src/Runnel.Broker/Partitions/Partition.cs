using Runnel.Storage.Log;

namespace Runnel.Broker.Partitions;

/// <summary>
/// A partition this broker leads: its log, its leader epoch and the notifier that wakes
/// long-polling fetches. On a single node the broker leads every partition at epoch 0; replication
/// will add follower state (ISR, follower fetch positions) here and move the high watermark from
/// followers' fetches instead of the log's end.
/// </summary>
public sealed class Partition
{
    private volatile TopicRuntimeConfig _config;

    public Partition(string topic, Guid topicId, int index, PartitionLog log, TopicRuntimeConfig config)
    {
        _config = config;
        Topic = topic;
        TopicId = topicId;
        Index = index;
        Log = log;
    }

    public string Topic { get; }

    public Guid TopicId { get; }

    public int Index { get; }

    public PartitionLog Log { get; }

    /// <summary>The topic's effective config; swapped whole when it changes.</summary>
    public TopicRuntimeConfig Config
    {
        get => _config;
        set => _config = value;
    }

    /// <summary>The current leader epoch (constant 0 until leadership can move).</summary>
    public int LeaderEpoch => 0;

    public AppendNotifier Notifier { get; } = new();

    /// <summary>
    /// The last stable offset: below it every transaction is decided. With no transactions yet it
    /// equals the high watermark; the transaction coordinator will lower it while transactions are open.
    /// </summary>
    public long LastStableOffset => Log.LastStableOffset;
}
