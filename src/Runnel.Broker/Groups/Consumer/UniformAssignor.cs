using System.Collections.Immutable;

namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// The server-side <c>uniform</c> assignor (Kafka's default): balanced and sticky. Each member keeps
/// the partitions of its previous target that it still subscribes to; the partitions nobody keeps go,
/// one at a time, to the least loaded subscribed member; then, while some member holds two or more
/// partitions than another member subscribed to one of them, one moves (newly given partitions
/// first). With equal subscriptions every member ends within one partition of every other, and a
/// member keeps what it had up to its fair share. Rack awareness is not implemented.
/// </summary>
public sealed class UniformAssignor : IConsumerGroupAssignor
{
    public string Name => "uniform";

    public Dictionary<string, ImmutableSortedSet<TopicIdPartition>> Assign(
        IReadOnlyList<AssignmentMember> members,
        IReadOnlyDictionary<Guid, int> partitionCounts,
        IReadOnlyDictionary<string, ImmutableSortedSet<TopicIdPartition>> currentTarget)
    {
        var sorted = members.ToList();
        sorted.Sort(RangeAssignor.CompareMembers);
        var owner = new Dictionary<TopicIdPartition, int>();
        var counts = new int[sorted.Count];
        var kept = new HashSet<TopicIdPartition>();

        // 1. Stickiness: keep what each member had, while it still subscribes to the topic (step 3
        // takes back what exceeds a balanced share).
        for (var i = 0; i < sorted.Count; i++)
        {
            var member = sorted[i];
            if (!currentTarget.TryGetValue(member.MemberId, out var previous))
            {
                continue;
            }

            foreach (var partition in previous)
            {
                if (member.SubscribedTopicIds.Contains(partition.TopicId)
                    && partitionCounts.TryGetValue(partition.TopicId, out var count)
                    && partition.Partition < count
                    && !owner.ContainsKey(partition))
                {
                    owner[partition] = i;
                    counts[i]++;
                    kept.Add(partition);
                }
            }
        }

        // 2. Everything else goes to the least loaded subscribed member.
        foreach (var (topicId, partitionCount) in partitionCounts.OrderBy(t => t.Key))
        {
            for (var p = 0; p < partitionCount; p++)
            {
                var partition = new TopicIdPartition(topicId, p);
                if (owner.ContainsKey(partition))
                {
                    continue;
                }

                var best = LeastLoaded(sorted, counts, topicId, exclude: -1);
                if (best >= 0)
                {
                    owner[partition] = best;
                    counts[best]++;
                }
            }
        }

        // 3. Balance: move one partition at a time from a member to a subscribed one holding two
        // fewer. Each move lowers the sum of squared counts, so this ends.
        var moved = true;
        while (moved)
        {
            moved = false;
            foreach (var partition in owner.Keys.OrderBy(p => kept.Contains(p) ? 1 : 0).ThenBy(p => p).ToList())
            {
                var from = owner[partition];
                var to = LeastLoaded(sorted, counts, partition.TopicId, exclude: from);
                if (to >= 0 && counts[from] - counts[to] > 1)
                {
                    owner[partition] = to;
                    counts[from]--;
                    counts[to]++;
                    kept.Remove(partition);
                    moved = true;
                }
            }
        }

        var builders = new ImmutableSortedSet<TopicIdPartition>.Builder[sorted.Count];
        for (var i = 0; i < builders.Length; i++)
        {
            builders[i] = ImmutableSortedSet.CreateBuilder<TopicIdPartition>();
        }

        foreach (var (partition, index) in owner)
        {
            builders[index].Add(partition);
        }

        var result = new Dictionary<string, ImmutableSortedSet<TopicIdPartition>>(StringComparer.Ordinal);
        for (var i = 0; i < sorted.Count; i++)
        {
            result[sorted[i].MemberId] = builders[i].ToImmutable();
        }

        return result;
    }

    private static int LeastLoaded(List<AssignmentMember> members, int[] counts, Guid topicId, int exclude)
    {
        var best = -1;
        for (var i = 0; i < members.Count; i++)
        {
            if (i != exclude && members[i].SubscribedTopicIds.Contains(topicId) && (best < 0 || counts[i] < counts[best]))
            {
                best = i;
            }
        }

        return best;
    }
}
