using System.Collections.Immutable;

namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// A server-side assignor (KIP-848's <c>ConsumerGroupPartitionAssignor</c>): computes the target
/// assignment of a whole group. Every partition of a topic some member subscribes to goes to exactly
/// one member subscribed to that topic. Implementations are stateless and thread-safe.
/// </summary>
public interface IConsumerGroupAssignor
{
    /// <summary>The name members ask for in <c>ServerAssignor</c> (<c>group.remote.assignor</c>).</summary>
    string Name { get; }

    /// <param name="members">Every member with its subscribed topic ids (existing topics only).</param>
    /// <param name="partitionCounts">Partition count of every subscribed topic.</param>
    /// <param name="currentTarget">The previous target assignment by member id, for stickiness.</param>
    /// <returns>The new target by member id; every member appears, possibly with no partitions.</returns>
    Dictionary<string, ImmutableSortedSet<TopicIdPartition>> Assign(
        IReadOnlyList<AssignmentMember> members,
        IReadOnlyDictionary<Guid, int> partitionCounts,
        IReadOnlyDictionary<string, ImmutableSortedSet<TopicIdPartition>> currentTarget);
}
