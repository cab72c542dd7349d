namespace Runnel.Broker.Metadata;

/// <summary>
/// Creates topics on first use when <c>auto.create.topics.enable</c> is on, with
/// <c>num.partitions</c> partitions and the broker's default configs. Internal topics are never
/// auto-created by clients (their coordinators create them).
/// </summary>
public sealed class AutoTopicCreation
{
    private readonly TopicService _topics;

    public AutoTopicCreation(TopicService topics, bool enabled, int numPartitions)
    {
        _topics = topics;
        Enabled = enabled;
        NumPartitions = numPartitions;
    }

    public bool Enabled { get; }

    public int NumPartitions { get; }

    public Task<TopicOperationResult> CreateAsync(string name, CancellationToken cancellationToken)
    {
        if (name is "__consumer_offsets" or "__transaction_state")
        {
            return Task.FromResult(TopicOperationResult.Fail(Protocol.ErrorCode.UnknownTopicOrPartition, null));
        }

        return _topics.CreateTopicAsync(name, NumPartitions, new Dictionary<string, string>(), validateOnly: false, cancellationToken);
    }
}
