using System.Collections.Immutable;

namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// Kafka's server-side <c>RangeAssignor</c>: for each topic, the members subscribed to it, ordered
/// (static members first by instance id, then the others by member id), take consecutive ranges of
/// partitions; the first <c>partitions % members</c> of them take one more. Members subscribed to
/// topics with equal partition counts therefore get the same partition numbers of each topic
/// (co-partitioning, for joins). Not sticky.
/// </summary>
public sealed class RangeAssignor : IConsumerGroupAssignor
{
    public string Name => "range";

    public Dictionary<string, ImmutableSortedSet<TopicIdPartition>> Assign(
        IReadOnlyList<AssignmentMember> members,
        IReadOnlyDictionary<Guid, int> partitionCounts,
        IReadOnlyDictionary<string, ImmutableSortedSet<TopicIdPartition>> currentTarget)
    {
        var sorted = members.ToList();
        sorted.Sort(CompareMembers);
        var result = new Dictionary<string, ImmutableSortedSet<TopicIdPartition>.Builder>(StringComparer.Ordinal);
        foreach (var member in sorted)
        {
            result[member.MemberId] = ImmutableSortedSet.CreateBuilder<TopicIdPartition>();
        }

        foreach (var (topicId, partitionCount) in partitionCounts)
        {
            var subscribers = sorted.FindAll(m => m.SubscribedTopicIds.Contains(topicId));
            if (subscribers.Count == 0)
            {
                continue;
            }

            var quota = partitionCount / subscribers.Count;
            var extra = partitionCount % subscribers.Count;
            var start = 0;
            for (var i = 0; i < subscribers.Count; i++)
            {
                var count = quota + (i < extra ? 1 : 0);
                var builder = result[subscribers[i].MemberId];
                for (var p = start; p < start + count; p++)
                {
                    builder.Add(new TopicIdPartition(topicId, p));
                }

                start += count;
            }
        }

        return result.ToDictionary(e => e.Key, e => e.Value.ToImmutable(), StringComparer.Ordinal);
    }

    /// <summary>Kafka's order: static members (by instance id) before dynamic ones (by member id), ordinal.</summary>
    internal static int CompareMembers(AssignmentMember a, AssignmentMember b)
    {
        if (a.InstanceId is not null && b.InstanceId is not null)
        {
            return string.CompareOrdinal(a.InstanceId, b.InstanceId);
        }

        if (a.InstanceId is not null)
        {
            return -1;
        }

        return b.InstanceId is not null ? 1 : string.CompareOrdinal(a.MemberId, b.MemberId);
    }
}
