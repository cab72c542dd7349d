using System.Collections.Immutable;

namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// Moves one member's assignment towards its target, as Kafka's <c>CurrentAssignmentBuilder</c>
/// does (KIP-848): partitions the member keeps stay; partitions it must give up go to
/// <see cref="MemberAssignment.PendingRevocation"/> and the member stays at its epoch until its
/// heartbeat no longer reports them; only then does it take the target epoch and new partitions,
/// and of those only the ones no other member still holds (the rest wait: UNRELEASED_PARTITIONS).
/// The previous epoch is always the epoch before this step (Kafka's <c>updateMemberEpoch</c>).
/// So a partition is never assigned to a member while another one owns it. Pure: no state.
/// </summary>
public static class Reconciler
{
    /// <param name="member">The member's current state.</param>
    /// <param name="targetEpoch">The target assignment epoch.</param>
    /// <param name="target">The member's partitions in the target assignment.</param>
    /// <param name="partitionEpoch">The epoch of the member owning a partition, or -1 when none does.</param>
    /// <param name="owned">The partitions the member reported in its heartbeat, or null when it did not say.</param>
    public static MemberAssignment Reconcile(
        MemberAssignment member,
        int targetEpoch,
        ImmutableSortedSet<TopicIdPartition> target,
        Func<TopicIdPartition, int> partitionEpoch,
        IReadOnlyCollection<TopicIdPartition>? owned)
    {
        switch (member.State)
        {
            case MemberState.Stable:
                return member.MemberEpoch != targetEpoch
                    ? ComputeNext(member, member.MemberEpoch, targetEpoch, target, partitionEpoch, owned)
                    : member;

            case MemberState.UnrevokedPartitions:
                // Still waiting for the revocation to be acknowledged: the heartbeat must stop
                // reporting every partition pending revocation.
                if (OwnsAny(owned, member.PendingRevocation))
                {
                    return member;
                }

                return ComputeNext(member, member.MemberEpoch + 1, targetEpoch, target, partitionEpoch, owned);

            default:
                return ComputeNext(member, member.MemberEpoch, targetEpoch, target, partitionEpoch, owned);
        }
    }

    private static MemberAssignment ComputeNext(
        MemberAssignment member,
        int memberEpoch,
        int targetEpoch,
        ImmutableSortedSet<TopicIdPartition> target,
        Func<TopicIdPartition, int> partitionEpoch,
        IReadOnlyCollection<TopicIdPartition>? owned)
    {
        var kept = member.Assigned.Intersect(target);
        var revoke = member.Assigned.Except(kept);
        var pending = target.Except(kept);
        var unreleased = false;
        var assignable = pending;
        foreach (var partition in pending)
        {
            if (partitionEpoch(partition) != -1)
            {
                assignable = assignable.Remove(partition);
                unreleased = true;
            }
        }

        if (!revoke.IsEmpty && OwnsAny(owned, revoke))
        {
            // Revoke first, at the current epoch; nothing new is handed out meanwhile.
            return new MemberAssignment(memberEpoch, member.MemberEpoch, MemberState.UnrevokedPartitions, kept, revoke);
        }

        var state = unreleased ? MemberState.UnreleasedPartitions : MemberState.Stable;
        return new MemberAssignment(targetEpoch, member.MemberEpoch, state, kept.Union(assignable), []);
    }

    /// <summary>A member that did not report its partitions is taken to still own everything (Kafka does the same).</summary>
    private static bool OwnsAny(IReadOnlyCollection<TopicIdPartition>? owned, ImmutableSortedSet<TopicIdPartition> partitions)
    {
        if (owned is null)
        {
            return true;
        }

        foreach (var partition in owned)
        {
            if (partitions.Contains(partition))
            {
                return true;
            }
        }

        return false;
    }
}
