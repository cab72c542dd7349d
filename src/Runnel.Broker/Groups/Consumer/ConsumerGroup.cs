using System.Collections.Immutable;
using Runnel.Broker.Metadata;

namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// The consumer-protocol (KIP-848) state of a group, attached to its <see cref="CoordinatedGroup"/>
/// (which keeps the committed offsets): group epoch, target assignment and its epoch, members, and
/// which member owns each partition at which epoch. Read and written under the coordinator's lock.
/// </summary>
/// <remarks>
/// Invariant: a partition is owned (assigned or pending revocation) by at most one member;
/// <see cref="SetAssignment"/> refuses to break it. The group epoch bumps when the membership,
/// a subscription, or the subscribed topics (their ids and partition counts) change; the target
/// assignment is recomputed when the group epoch is ahead of it.
/// </remarks>
public sealed class ConsumerGroup
{
    private readonly Dictionary<TopicIdPartition, (string MemberId, int Epoch)> _owners = new();

    public int GroupEpoch { get; set; }

    /// <summary>The epoch of <see cref="TargetAssignment"/>.</summary>
    public int AssignmentEpoch { get; set; }

    public Dictionary<string, ConsumerGroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Static members: instance id → member id.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>The target assignment by member id, as of <see cref="AssignmentEpoch"/>.</summary>
    public Dictionary<string, ImmutableSortedSet<TopicIdPartition>> TargetAssignment { get; } = new(StringComparer.Ordinal);

    /// <summary>The subscribed topics by name, as of the last group epoch bump (Kafka's subscription metadata).</summary>
    public SortedDictionary<string, SubscribedTopic> SubscriptionMetadata { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The metadata image <see cref="SubscriptionMetadata"/> was last checked against.</summary>
    public MetadataImage? CheckedImage { get; set; }

    public ConsumerGroupState State
    {
        get
        {
            if (Members.Count == 0)
            {
                return ConsumerGroupState.Empty;
            }

            if (GroupEpoch > AssignmentEpoch)
            {
                return ConsumerGroupState.Assigning;
            }

            foreach (var member in Members.Values)
            {
                if (!member.Assignment.IsReconciledTo(AssignmentEpoch))
                {
                    return ConsumerGroupState.Reconciling;
                }
            }

            return ConsumerGroupState.Stable;
        }
    }

    /// <summary>The epoch of the member owning <paramref name="partition"/>, or -1 when none does.</summary>
    public int PartitionEpoch(TopicIdPartition partition) => _owners.TryGetValue(partition, out var owner) ? owner.Epoch : -1;

    /// <summary>The member owning <paramref name="partition"/>, or null.</summary>
    public string? PartitionOwner(TopicIdPartition partition) => _owners.TryGetValue(partition, out var owner) ? owner.MemberId : null;

    public ImmutableSortedSet<TopicIdPartition> TargetOf(string memberId) =>
        TargetAssignment.TryGetValue(memberId, out var target) ? target : [];

    public void AddMember(ConsumerGroupMember member)
    {
        Members[member.MemberId] = member;
        if (member.InstanceId is not null)
        {
            StaticMembers[member.InstanceId] = member.MemberId;
        }

        Own(member.MemberId, member.Assignment);
    }

    /// <summary>Replaces a member's reconciliation state and the ownership of its partitions.</summary>
    public void SetAssignment(ConsumerGroupMember member, MemberAssignment assignment)
    {
        Disown(member.MemberId, member.Assignment);
        member.Assignment = assignment;
        Own(member.MemberId, assignment);
    }

    public void RemoveMember(string memberId)
    {
        if (!Members.Remove(memberId, out var member))
        {
            return;
        }

        Disown(memberId, member.Assignment);
        if (member.InstanceId is not null && StaticMembers.TryGetValue(member.InstanceId, out var id) && id == memberId)
        {
            StaticMembers.Remove(member.InstanceId);
        }

        TargetAssignment.Remove(memberId);
    }

    /// <summary>
    /// Rebuilds the static member index and partition ownership after a replay filled
    /// <see cref="Members"/> directly. Lenient: should two restored members claim one partition, the
    /// first keeps it (the other reconciles towards its target as usual).
    /// </summary>
    public void RebuildIndexes()
    {
        StaticMembers.Clear();
        _owners.Clear();
        foreach (var member in Members.Values)
        {
            if (member.InstanceId is not null)
            {
                StaticMembers[member.InstanceId] = member.MemberId;
            }

            foreach (var partition in member.Assignment.Owned)
            {
                _owners.TryAdd(partition, (member.MemberId, member.MemberEpoch));
            }
        }
    }

    /// <summary>Kafka's choice: the assignor most members ask for (ties by name), or null when none asks.</summary>
    public string? PreferredAssignor()
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var member in Members.Values)
        {
            if (member.ServerAssignor is { } name)
            {
                counts[name] = counts.GetValueOrDefault(name) + 1;
            }
        }

        string? best = null;
        foreach (var (name, count) in counts)
        {
            if (best is null || count > counts[best])
            {
                best = name;
            }
        }

        return best;
    }

    /// <summary>The topics the members subscribe to (by name or regex) that exist in <paramref name="image"/>.</summary>
    public SortedDictionary<string, SubscribedTopic> ComputeSubscriptionMetadata(MetadataImage image)
    {
        var result = new SortedDictionary<string, SubscribedTopic>(StringComparer.Ordinal);
        var regexes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in Members.Values)
        {
            foreach (var name in member.SubscribedTopicNames)
            {
                if (image.TryGetTopic(name, out var topic))
                {
                    result[name] = new SubscribedTopic(name, topic.TopicId, topic.PartitionCount);
                }
            }

            if (member.SubscribedTopicRegex is { } regex)
            {
                regexes.Add(regex);
            }
        }

        foreach (var pattern in regexes)
        {
            if (!TopicRegex.TryCompile(pattern, out var regex, out _))
            {
                continue;
            }

            foreach (var topic in image.Topics)
            {
                if (regex!.IsMatch(topic.Name))
                {
                    result[topic.Name] = new SubscribedTopic(topic.Name, topic.TopicId, topic.PartitionCount);
                }
            }
        }

        return result;
    }

    /// <summary>The topic ids a member subscribes to among <see cref="SubscriptionMetadata"/>.</summary>
    public HashSet<Guid> SubscribedTopicIds(ConsumerGroupMember member)
    {
        var ids = new HashSet<Guid>();
        foreach (var name in member.SubscribedTopicNames)
        {
            if (SubscriptionMetadata.TryGetValue(name, out var topic))
            {
                ids.Add(topic.TopicId);
            }
        }

        if (member.SubscribedTopicRegex is { } pattern && TopicRegex.TryCompile(pattern, out var regex, out _))
        {
            foreach (var topic in SubscriptionMetadata.Values)
            {
                if (regex!.IsMatch(topic.Name))
                {
                    ids.Add(topic.TopicId);
                }
            }
        }

        return ids;
    }

    public static bool SameTopics(SortedDictionary<string, SubscribedTopic> a, SortedDictionary<string, SubscribedTopic> b) =>
        a.Count == b.Count && a.Values.SequenceEqual(b.Values);

    private void Own(string memberId, MemberAssignment assignment)
    {
        foreach (var partition in assignment.Owned)
        {
            if (_owners.TryGetValue(partition, out var owner) && owner.MemberId != memberId)
            {
                throw new InvalidOperationException($"Partition {partition} is owned by {owner.MemberId}; it cannot also be given to {memberId}.");
            }

            _owners[partition] = (memberId, assignment.MemberEpoch);
        }
    }

    private void Disown(string memberId, MemberAssignment assignment)
    {
        foreach (var partition in assignment.Owned)
        {
            if (_owners.TryGetValue(partition, out var owner) && owner.MemberId == memberId)
            {
                _owners.Remove(partition);
            }
        }
    }
}
