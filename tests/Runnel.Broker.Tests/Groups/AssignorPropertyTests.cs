using System.Collections.Immutable;
using CsCheck;
using Runnel.Broker.Groups.Consumer;

namespace Runnel.Broker.Tests.Groups;

/// <summary>Properties of the server-side assignors (KIP-848) over random groups and topics.</summary>
public class AssignorPropertyTests
{
    private static readonly Guid[] s_topicIds = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

    /// <summary>1–3 topics of 1–12 partitions.</summary>
    private static readonly Gen<Dictionary<Guid, int>> s_topics =
        Gen.Int[1, 12].Array[1, 3].Select(counts => counts.Select((count, i) => (s_topicIds[i], count)).ToDictionary(t => t.Item1, t => t.count));

    /// <summary>Members with random (non-empty) subscriptions among the given topics, some static.</summary>
    private static Gen<List<AssignmentMember>> Members(Dictionary<Guid, int> topics) =>
        Gen.Select(Gen.Int[0, 7].Array[1, topics.Count], Gen.Bool).Array[1, 8].Select(specs => specs
            .Select((spec, i) => new AssignmentMember(
                "member-" + i,
                spec.Item2 ? "instance-" + (7 - i) : null,
                spec.Item1.Select(t => topics.Keys.ElementAt(t % topics.Count)).ToHashSet()))
            .ToList());

    /// <summary>Topics with members subscribed to random subsets of them.</summary>
    private static readonly Gen<(Dictionary<Guid, int> Topics, List<AssignmentMember> Members)> s_groups =
        s_topics.SelectMany(topics => Members(topics).Select(members => (topics, members)));

    private static Gen<List<AssignmentMember>> EqualMembers(Dictionary<Guid, int> topics) =>
        Gen.Int[1, 8].Select(count => Enumerable.Range(0, count)
            .Select(i => new AssignmentMember("member-" + i, null, topics.Keys.ToHashSet()))
            .ToList());

    private static readonly Dictionary<string, ImmutableSortedSet<TopicIdPartition>> s_none = new();

    [Theory]
    [InlineData("uniform")]
    [InlineData("range")]
    public void Every_subscribed_partition_goes_to_exactly_one_subscribed_member(string name)
    {
        Assert.True(ConsumerGroupAssignors.TryGet(name, out var assignor));
        s_groups
            .Sample(input =>
            {
                var (topics, members) = input;
                var result = assignor.Assign(members, topics, s_none);
                Assert.Equal(members.Select(m => m.MemberId).Order(), result.Keys.Order());
                var owners = new Dictionary<TopicIdPartition, string>();
                foreach (var (memberId, partitions) in result)
                {
                    var member = members.Single(m => m.MemberId == memberId);
                    foreach (var partition in partitions)
                    {
                        Assert.Contains(partition.TopicId, member.SubscribedTopicIds);
                        Assert.True(owners.TryAdd(partition, memberId), $"{partition} assigned twice");
                    }
                }

                var expected = topics.Where(t => members.Any(m => m.SubscribedTopicIds.Contains(t.Key))).Sum(t => t.Value);
                Assert.Equal(expected, owners.Count);
            });
    }

    [Fact]
    public void Uniform_balances_members_with_equal_subscriptions_within_one_partition()
    {
        s_topics.SelectMany(t => EqualMembers(t).Select(m => (t, m))).Sample(input =>
        {
            var (topics, members) = input;
            var counts = ConsumerGroupAssignors.Uniform.Assign(members, topics, s_none).Values.Select(p => p.Count).ToList();
            Assert.True(counts.Max() - counts.Min() <= 1, $"counts {string.Join(",", counts)}");
        });
    }

    [Fact]
    public void Uniform_keeps_a_members_partitions_up_to_its_fair_share_when_members_come_and_go()
    {
        Gen.Select(s_topics, Gen.Int[1, 8], Gen.Int[1, 8]).Sample(input =>
        {
            var (topics, before, after) = input;
            var previousMembers = Enumerable.Range(0, before).Select(i => new AssignmentMember("member-" + i, null, topics.Keys.ToHashSet())).ToList();
            var previous = ConsumerGroupAssignors.Uniform.Assign(previousMembers, topics, s_none);
            var members = Enumerable.Range(0, after).Select(i => new AssignmentMember("member-" + i, null, topics.Keys.ToHashSet())).ToList();
            var next = ConsumerGroupAssignors.Uniform.Assign(members, topics, previous);

            var fairShare = topics.Values.Sum() / after;
            foreach (var member in members)
            {
                if (!previous.TryGetValue(member.MemberId, out var had))
                {
                    continue;
                }

                var kept = had.Intersect(next[member.MemberId]).Count;
                Assert.True(kept >= Math.Min(had.Count, fairShare), $"{member.MemberId} kept {kept} of {had.Count} (fair share {fairShare})");
            }

            var counts = next.Values.Select(p => p.Count).ToList();
            Assert.True(counts.Max() - counts.Min() <= 1);
        });
    }

    [Fact]
    public void Range_gives_each_member_kafkas_consecutive_range_of_each_topic()
    {
        s_groups
            .Sample(input =>
            {
                var (topics, members) = input;
                var result = ConsumerGroupAssignors.Range.Assign(members, topics, s_none);

                // Kafka's order: static members by instance id first, then dynamic ones by member id.
                var ordered = members.Where(m => m.InstanceId is not null).OrderBy(m => m.InstanceId, StringComparer.Ordinal)
                    .Concat(members.Where(m => m.InstanceId is null).OrderBy(m => m.MemberId, StringComparer.Ordinal))
                    .ToList();
                foreach (var (topicId, partitionCount) in topics)
                {
                    var subscribers = ordered.Where(m => m.SubscribedTopicIds.Contains(topicId)).ToList();
                    if (subscribers.Count == 0)
                    {
                        continue;
                    }

                    var quota = partitionCount / subscribers.Count;
                    var extra = partitionCount % subscribers.Count;
                    for (var p = 0; p < partitionCount; p++)
                    {
                        // Partition p falls in the range of the subscriber at this rank.
                        var rank = p < extra * (quota + 1) ? p / (quota + 1) : extra + ((p - (extra * (quota + 1))) / quota);
                        Assert.Contains(new TopicIdPartition(topicId, p), result[subscribers[rank].MemberId]);
                    }
                }
            });
    }
}
