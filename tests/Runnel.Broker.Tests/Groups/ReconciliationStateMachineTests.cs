using System.Collections.Immutable;
using CsCheck;
using Runnel.Broker.Groups.Consumer;

namespace Runnel.Broker.Tests.Groups;

/// <summary>
/// Random joins, leaves, heartbeats that acknowledge revocations and heartbeats that do not, driven
/// the way the coordinator drives a consumer group (bump the group epoch on membership changes,
/// recompute the target when it is behind, reconcile the member that heartbeats): a partition is
/// never owned by two members at once, and once everybody acknowledges the group settles with
/// every partition owned exactly once.
/// </summary>
public class ReconciliationStateMachineTests
{
    private static readonly Guid s_topic = Guid.NewGuid();

    /// <summary>0 = join, 1 = leave, 2 = heartbeat that acknowledges, 3 = heartbeat that still reports everything it held.</summary>
    private static readonly Gen<(int Kind, int Member)[]> s_operations = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 5]).Array[1, 60];

    [Theory]
    [InlineData("uniform")]
    [InlineData("range")]
    public void A_partition_is_never_owned_by_two_members(string assignorName)
    {
        Assert.True(ConsumerGroupAssignors.TryGet(assignorName, out var assignor));
        Gen.Select(Gen.Int[1, 10], s_operations).Sample(input =>
        {
            var (partitions, operations) = input;
            var group = new Model(assignor, partitions);
            foreach (var (kind, index) in operations)
            {
                var memberId = "m" + index;
                switch (kind)
                {
                    case 0:
                        group.Join(memberId);
                        break;
                    case 1:
                        group.Leave(memberId);
                        break;
                    default:
                        group.Heartbeat(memberId, acknowledge: kind == 2);
                        break;
                }

                group.AssertExclusiveOwnership();
            }

            // Everyone acknowledges for a few rounds: the group must settle.
            for (var round = 0; round < 4; round++)
            {
                foreach (var memberId in group.MemberIds)
                {
                    group.Heartbeat(memberId, acknowledge: true);
                    group.AssertExclusiveOwnership();
                }
            }

            if (group.MemberIds.Count > 0)
            {
                Assert.Equal(ConsumerGroupState.Stable, group.Group.State);
                Assert.Equal(partitions, group.Group.Members.Values.Sum(m => m.Assignment.Assigned.Count));
            }
        });
    }

    private sealed class Model(IConsumerGroupAssignor assignor, int partitions)
    {
        public ConsumerGroup Group { get; } = new();

        public List<string> MemberIds => Group.Members.Keys.ToList();

        public void Join(string memberId)
        {
            if (Group.Members.ContainsKey(memberId))
            {
                return;
            }

            Group.AddMember(new ConsumerGroupMember(memberId) { SubscribedTopicNames = ["t"] });
            Group.GroupEpoch++;
            Heartbeat(memberId, acknowledge: true);
        }

        public void Leave(string memberId)
        {
            if (Group.Members.ContainsKey(memberId))
            {
                Group.RemoveMember(memberId);
                Group.GroupEpoch++;
            }
        }

        public void Heartbeat(string memberId, bool acknowledge)
        {
            if (!Group.Members.TryGetValue(memberId, out var member))
            {
                return;
            }

            if (Group.GroupEpoch > Group.AssignmentEpoch)
            {
                var members = Group.Members.Values.Select(m => new AssignmentMember(m.MemberId, null, new HashSet<Guid> { s_topic })).ToList();
                var target = assignor.Assign(members, new Dictionary<Guid, int> { [s_topic] = partitions }, Group.TargetAssignment);
                foreach (var (id, assigned) in target)
                {
                    Group.TargetAssignment[id] = assigned;
                }

                Group.AssignmentEpoch = Group.GroupEpoch;
            }

            // A member that acknowledges reports what it was last told it may keep; one that does
            // not still reports everything it held, including what it must give up.
            IReadOnlyCollection<TopicIdPartition> owned = acknowledge
                ? member.Assignment.Assigned
                : member.Assignment.Assigned.Union(member.Assignment.PendingRevocation);
            var next = Reconciler.Reconcile(member.Assignment, Group.AssignmentEpoch, Group.TargetOf(memberId), Group.PartitionEpoch, owned);
            Group.SetAssignment(member, next);
        }

        public void AssertExclusiveOwnership()
        {
            var owners = new Dictionary<TopicIdPartition, string>();
            foreach (var member in Group.Members.Values)
            {
                foreach (var partition in member.Assignment.Owned)
                {
                    Assert.True(owners.TryAdd(partition, member.MemberId), $"{partition} owned by {owners.GetValueOrDefault(partition)} and {member.MemberId}");
                }

                Assert.Empty(member.Assignment.Assigned.Intersect(member.Assignment.PendingRevocation));
            }
        }
    }
}
