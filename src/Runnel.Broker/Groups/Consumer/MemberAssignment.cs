using System.Collections.Immutable;

namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// A member's reconciliation state (Kafka's <c>ConsumerGroupCurrentMemberAssignment</c>): its epoch,
/// the epoch before, its state, the partitions it owns and may use, and the partitions it still owns
/// but must give up. Immutable: the reconciler returns a new value.
/// </summary>
public sealed record MemberAssignment(
    int MemberEpoch,
    int PreviousMemberEpoch,
    MemberState State,
    ImmutableSortedSet<TopicIdPartition> Assigned,
    ImmutableSortedSet<TopicIdPartition> PendingRevocation)
{
    /// <summary>A member that just joined: epoch 0, nothing owned.</summary>
    public static readonly MemberAssignment Initial = new(0, 0, MemberState.Stable, [], []);

    /// <summary>Every partition the member holds: assigned, and those it has not revoked yet.</summary>
    public IEnumerable<TopicIdPartition> Owned => Assigned.Concat(PendingRevocation);

    public bool IsReconciledTo(int targetAssignmentEpoch) => State == MemberState.Stable && MemberEpoch == targetAssignmentEpoch;

    public bool Equals(MemberAssignment? other) =>
        other is not null
        && MemberEpoch == other.MemberEpoch
        && PreviousMemberEpoch == other.PreviousMemberEpoch
        && State == other.State
        && Assigned.SetEquals(other.Assigned)
        && PendingRevocation.SetEquals(other.PendingRevocation);

    public override int GetHashCode() => HashCode.Combine(MemberEpoch, PreviousMemberEpoch, State, Assigned.Count, PendingRevocation.Count);
}
