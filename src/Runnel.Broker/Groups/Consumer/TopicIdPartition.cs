namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// A partition named by topic id, as the consumer group protocol (KIP-848) names them: assignments
/// travel as topic ids so a topic deleted and recreated under the same name is a different topic.
/// Ordered by topic id, then partition, so sets of them print and persist deterministically.
/// </summary>
public readonly record struct TopicIdPartition(Guid TopicId, int Partition) : IComparable<TopicIdPartition>
{
    public int CompareTo(TopicIdPartition other)
    {
        var byTopic = TopicId.CompareTo(other.TopicId);
        return byTopic != 0 ? byTopic : Partition.CompareTo(other.Partition);
    }

    public static bool operator <(TopicIdPartition left, TopicIdPartition right) => left.CompareTo(right) < 0;

    public static bool operator <=(TopicIdPartition left, TopicIdPartition right) => left.CompareTo(right) <= 0;

    public static bool operator >(TopicIdPartition left, TopicIdPartition right) => left.CompareTo(right) > 0;

    public static bool operator >=(TopicIdPartition left, TopicIdPartition right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{TopicId}-{Partition}";
}
