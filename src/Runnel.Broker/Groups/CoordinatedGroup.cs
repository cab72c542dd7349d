using Runnel.Broker.Groups.Consumer;
using Runnel.Protocol;

namespace Runnel.Broker.Groups;

/// <summary>
/// A group this coordinator hosts: its committed offsets, and its membership under either the
/// classic protocol (members, generation, chosen protocol) or, when <see cref="Consumer"/> is set,
/// the consumer protocol (KIP-848). A group id is one or the other; an empty group may change type.
/// Every field is read and written under the coordinator's lock only.
/// </summary>
public sealed class CoordinatedGroup
{
    public CoordinatedGroup(string groupId, int offsetsPartition)
    {
        GroupId = groupId;
        OffsetsPartition = offsetsPartition;
    }

    public string GroupId { get; }

    /// <summary>The consumer-protocol state when this is a consumer group (KIP-848); null for a classic group.</summary>
    public ConsumerGroup? Consumer { get; set; }

    /// <summary>True when the group is classic and has no members, so a consumer-protocol member may take it over.</summary>
    public bool IsEmptyClassic => Consumer is null && Members.Count == 0 && PendingMembers.Count == 0 && State is GroupState.Empty or GroupState.Dead;

    /// <summary>The <c>__consumer_offsets</c> partition that stores this group.</summary>
    public int OffsetsPartition { get; }

    public GroupState State { get; set; } = GroupState.Empty;

    public int GenerationId { get; set; }

    public string? ProtocolType { get; set; }

    public string? ProtocolName { get; set; }

    public string? LeaderId { get; set; }

    public Dictionary<string, GroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED (KIP-394), with when they lapse.</summary>
    public Dictionary<string, long> PendingMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Static members (KIP-345): group.instance.id → member id.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>When a PreparingRebalance must complete, whoever has rejoined by then.</summary>
    public long RebalanceDeadlineMs { get; set; }

    /// <summary>
    /// While positive, the group is in its initial delay (<c>group.initial.rebalance.delay.ms</c>):
    /// the join completes at the deadline even if every member has joined, so more can arrive.
    /// This is the latest the delay may be extended to (start + rebalance timeout).
    /// </summary>
    public long InitialDelayLimitMs { get; set; }

    public Dictionary<(string Topic, int Partition), CommittedOffset> Offsets { get; } = new();

    /// <summary>
    /// Offsets committed inside open transactions (TxnOffsetCommit, KIP-98/KIP-447), by producer id:
    /// applied to <see cref="Offsets"/> by the transaction's commit marker, dropped by its abort marker.
    /// </summary>
    public Dictionary<long, Dictionary<(string Topic, int Partition), CommittedOffset>> PendingTransactionalOffsets { get; } = new();

    /// <summary>True when an open transaction holds an offset for the partition (OffsetFetch RequireStable answers UNSTABLE_OFFSET_COMMIT).</summary>
    public bool HasPendingTransactionalOffset(string topic, int partition)
    {
        foreach (var offsets in PendingTransactionalOffsets.Values)
        {
            if (offsets.ContainsKey((topic, partition)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Drops pending transactional offsets of a partition (its committed offset was deleted); a producer left with none is forgotten.</summary>
    public void RemovePendingTransactionalOffset(string topic, int partition)
    {
        List<long>? emptied = null;
        foreach (var (producerId, offsets) in PendingTransactionalOffsets)
        {
            if (offsets.Remove((topic, partition)) && offsets.Count == 0)
            {
                (emptied ??= []).Add(producerId);
            }
        }

        foreach (var producerId in emptied ?? [])
        {
            PendingTransactionalOffsets.Remove(producerId);
        }
    }

    /// <summary>Every partition with a committed or a pending transactional offset (what deleting all of the group's offsets must tombstone).</summary>
    public List<(string Topic, int Partition)> AllOffsetKeys()
    {
        var keys = new HashSet<(string Topic, int Partition)>(Offsets.Keys);
        foreach (var offsets in PendingTransactionalOffsets.Values)
        {
            keys.UnionWith(offsets.Keys);
        }

        return [.. keys];
    }

    /// <summary>
    /// When the group last became Empty (Kafka's currentStateTimestamp for that state): committed
    /// offsets of an empty group expire <c>offsets.retention.minutes</c> after this (KIP-211).
    /// </summary>
    public long EmptySinceMs { get; set; }

    /// <summary>The offset in <c>__consumer_offsets</c> of the group metadata record last applied.</summary>
    public long MetadataRecordOffset { get; set; } = -1;

    public bool AllMembersJoined()
    {
        foreach (var member in Members.Values)
        {
            if (member.PendingJoin is null)
            {
                return false;
            }
        }

        return PendingMembers.Count == 0;
    }

    /// <summary>
    /// Kafka's selection: among protocols every member supports, each member votes for the first one
    /// in its own preference order; the most votes win (ties go to the leader's earlier preference).
    /// </summary>
    public string? SelectProtocol()
    {
        GroupMember? first = null;
        foreach (var member in Members.Values)
        {
            first = member;
            break;
        }

        if (first is null)
        {
            return null;
        }

        var candidates = new List<string>();
        foreach (var (name, _) in (LeaderId is not null && Members.TryGetValue(LeaderId, out var leader) ? leader : first).Protocols)
        {
            var all = true;
            foreach (var member in Members.Values)
            {
                if (!member.Supports(name))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                candidates.Add(name);
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        var votes = new int[candidates.Count];
        foreach (var member in Members.Values)
        {
            foreach (var (name, _) in member.Protocols)
            {
                var index = candidates.IndexOf(name);
                if (index >= 0)
                {
                    votes[index]++;
                    break;
                }
            }
        }

        var best = 0;
        for (var i = 1; i < votes.Length; i++)
        {
            if (votes[i] > votes[best])
            {
                best = i;
            }
        }

        return candidates[best];
    }

    /// <summary>Whether a joining member's protocols fit the group: same type, and at least one protocol in common with everyone.</summary>
    public bool Accepts(string protocolType, List<(string Name, byte[] Metadata)> protocols, string? exceptMemberId)
    {
        if (Members.Count == 0 || (Members.Count == 1 && exceptMemberId is not null && Members.ContainsKey(exceptMemberId)))
        {
            return protocolType.Length > 0 && protocols.Count > 0;
        }

        if (ProtocolType != protocolType)
        {
            return false;
        }

        foreach (var (name, _) in protocols)
        {
            var all = true;
            foreach (var member in Members.Values)
            {
                if (member.MemberId != exceptMemberId && !member.Supports(name))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when no member belongs to the group under either protocol.</summary>
    public bool IsEmpty => Consumer is { } consumer ? consumer.Members.Count == 0 : State is GroupState.Empty or GroupState.Dead;

    /// <summary>
    /// True when nothing of the group is left to keep: no members, no committed offsets, no live
    /// metadata record. Replay drops such a group when its last tombstone is read.
    /// </summary>
    public bool IsVacant => Consumer is null && Members.Count == 0 && Offsets.Count == 0 && PendingTransactionalOffsets.Count == 0 && MetadataRecordOffset < 0;

    /// <summary>
    /// Kafka's member check for Join/Sync/Heartbeat/OffsetCommit: with a group.instance.id the member
    /// id must be the one that instance holds now (a replaced, older incarnation is fenced with
    /// FENCED_INSTANCE_ID); without one the member id must belong to the group.
    /// </summary>
    public ErrorCode ValidateMember(string memberId, string? groupInstanceId, out GroupMember? member)
    {
        member = null;
        if (groupInstanceId is not null)
        {
            if (!StaticMembers.TryGetValue(groupInstanceId, out var current))
            {
                return ErrorCode.UnknownMemberId;
            }

            if (current != memberId)
            {
                return ErrorCode.FencedInstanceId;
            }
        }

        return Members.TryGetValue(memberId, out member) ? ErrorCode.None : ErrorCode.UnknownMemberId;
    }

    /// <summary>
    /// Whether a member of this group consumes <paramref name="topic"/>: for a KIP-848 group, from its
    /// resolved subscriptions; for a classic "consumer" group, from the members' subscription
    /// metadata, true for any topic while that cannot be read (as Kafka, on the safe side). False
    /// for an empty group; groups of other protocol types (e.g. Connect) have no topics.
    /// </summary>
    public bool IsSubscribedTo(string topic)
    {
        if (Consumer is { } consumer)
        {
            // KIP-848 groups keep their subscribed topics (names and regex matches) resolved.
            return consumer.Members.Count > 0 && consumer.SubscriptionMetadata.ContainsKey(topic);
        }

        if (Members.Count == 0 || ProtocolType != ConsumerProtocolSubscription.ProtocolType || ProtocolName is null)
        {
            return false;
        }

        foreach (var member in Members.Values)
        {
            var metadata = member.MetadataFor(ProtocolName);
            if (metadata is null || !ConsumerProtocolSubscription.TryContainsTopic(metadata, topic, out var contains) || contains)
            {
                return true;
            }
        }

        return false;
    }
}
