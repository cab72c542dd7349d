namespace Runnel.Broker.Fetch;

/// <summary>
/// A partition inside an incremental fetch session (KIP-227): what the client asked for last and
/// what the broker last told it, so unchanged partitions can be left out of the next response.
/// </summary>
internal sealed class FetchSessionPartition
{
    public FetchSessionPartition(string topic, Guid topicId, int partition)
    {
        Topic = topic;
        TopicId = topicId;
        Partition = partition;
    }

    public string Topic { get; }

    public Guid TopicId { get; }

    public int Partition { get; }

    public long FetchOffset { get; set; }

    public int MaxBytes { get; set; }

    public int CurrentLeaderEpoch { get; set; } = -1;

    public long SentHighWatermark { get; set; } = -1;

    public long SentLastStableOffset { get; set; } = -1;

    public long SentLogStartOffset { get; set; } = -1;
}
