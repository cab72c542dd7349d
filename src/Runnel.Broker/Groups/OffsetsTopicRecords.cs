using System.Collections.Immutable;
using Runnel.Broker.Coordination;
using Runnel.Broker.Groups.Consumer;

namespace Runnel.Broker.Groups;

/// <summary>
/// Keys and values of the records in <c>__consumer_offsets</c> (docs/formats/consumer-offsets.md).
/// Big-endian; strings are int16 length + UTF-8 (-1 = null), bytes int32 length + data.
/// Key: int16 type (1 = offset commit, 2 = classic group metadata, 3 = consumer group metadata,
/// 4 = consumer member subscription, 5 = consumer member target assignment, 6 = consumer member
/// current assignment), group id, then for offsets topic and partition, for 4–6 the member id.
/// A null value is a tombstone. Values start with an int16 version (1).
/// </summary>
public static class OffsetsTopicRecords
{
    public const short OffsetKeyType = 1;
    public const short GroupKeyType = 2;
    public const short ConsumerGroupKeyType = 3;
    public const short ConsumerMemberKeyType = 4;
    public const short ConsumerTargetKeyType = 5;
    public const short ConsumerCurrentKeyType = 6;
    public const short ValueVersion = 1;

    public static byte[] OffsetKey(string groupId, string topic, int partition)
    {
        var w = new BigEndianWriter();
        w.Int16(OffsetKeyType);
        w.String(groupId);
        w.String(topic);
        w.Int32(partition);
        return w.ToArray();
    }

    public static byte[] GroupKey(string groupId)
    {
        var w = new BigEndianWriter();
        w.Int16(GroupKeyType);
        w.String(groupId);
        return w.ToArray();
    }

    /// <summary>Key of a consumer group's metadata record (type 3).</summary>
    public static byte[] ConsumerGroupKey(string groupId)
    {
        var w = new BigEndianWriter();
        w.Int16(ConsumerGroupKeyType);
        w.String(groupId);
        return w.ToArray();
    }

    /// <summary>Key of a consumer group member's subscription (4), target assignment (5) or current assignment (6).</summary>
    public static byte[] ConsumerMemberKey(short type, string groupId, string memberId)
    {
        var w = new BigEndianWriter();
        w.Int16(type);
        w.String(groupId);
        w.String(memberId);
        return w.ToArray();
    }

    /// <summary>Consumer group metadata: group epoch, target assignment epoch, and the subscribed topics as last seen.</summary>
    public static byte[] ConsumerGroupValue(ConsumerGroup group)
    {
        var w = new BigEndianWriter();
        w.Int16(ValueVersion);
        w.Int32(group.GroupEpoch);
        w.Int32(group.AssignmentEpoch);
        w.Int32(group.SubscriptionMetadata.Count);
        foreach (var topic in group.SubscriptionMetadata.Values)
        {
            w.String(topic.Name);
            w.Uuid(topic.TopicId);
            w.Int32(topic.PartitionCount);
        }

        return w.ToArray();
    }

    /// <summary>A consumer group member's subscription, as last sent in ConsumerGroupHeartbeat.</summary>
    public static byte[] ConsumerMemberValue(ConsumerGroupMember member)
    {
        var w = new BigEndianWriter();
        w.Int16(ValueVersion);
        w.String(member.InstanceId);
        w.String(member.RackId);
        w.String(member.ClientId);
        w.String(member.ClientHost);
        w.Int32(member.RebalanceTimeoutMs);
        w.Int32(member.SubscribedTopicNames.Count);
        foreach (var name in member.SubscribedTopicNames)
        {
            w.String(name);
        }

        w.String(member.SubscribedTopicRegex);
        w.String(member.ServerAssignor);
        return w.ToArray();
    }

    /// <summary>A consumer group member's partitions in the target assignment.</summary>
    public static byte[] ConsumerTargetValue(ImmutableSortedSet<TopicIdPartition> partitions)
    {
        var w = new BigEndianWriter();
        w.Int16(ValueVersion);
        WritePartitions(w, partitions);
        return w.ToArray();
    }

    /// <summary>A consumer group member's reconciliation state: epochs, state, assigned and pending-revocation partitions.</summary>
    public static byte[] ConsumerCurrentValue(MemberAssignment assignment)
    {
        var w = new BigEndianWriter();
        w.Int16(ValueVersion);
        w.Int32(assignment.MemberEpoch);
        w.Int32(assignment.PreviousMemberEpoch);
        w.Int8((byte)assignment.State);
        WritePartitions(w, assignment.Assigned);
        WritePartitions(w, assignment.PendingRevocation);
        return w.ToArray();
    }

    public static byte[] OffsetValue(long offset, int leaderEpoch, string? metadata, long commitTimestampMs)
    {
        var w = new BigEndianWriter();
        w.Int16(ValueVersion);
        w.Int64(offset);
        w.Int32(leaderEpoch);
        w.String(metadata);
        w.Int64(commitTimestampMs);
        return w.ToArray();
    }

    /// <summary>Group metadata as of now: generation, protocol, leader, and every member with its subscription and assignment.</summary>
    public static byte[] GroupValue(CoordinatedGroup group, long timestampMs)
    {
        var w = new BigEndianWriter();
        w.Int16(ValueVersion);
        w.String(group.ProtocolType);
        w.Int32(group.GenerationId);
        w.String(group.ProtocolName);
        w.String(group.LeaderId);
        w.Int64(timestampMs);
        w.Int32(group.Members.Count);
        foreach (var member in group.Members.Values)
        {
            w.String(member.MemberId);
            w.String(member.GroupInstanceId);
            w.String(member.ClientId);
            w.String(member.ClientHost);
            w.Int32(member.RebalanceTimeoutMs);
            w.Int32(member.SessionTimeoutMs);
            w.Bytes(group.ProtocolName is null ? null : member.MetadataFor(group.ProtocolName));
            w.Bytes(member.Assignment);
        }

        return w.ToArray();
    }

    /// <summary>Parsed key; false when the bytes are not a key this version knows (the record is skipped).</summary>
    public static bool TryReadKey(ReadOnlySpan<byte> key, out OffsetsTopicKey parsed)
    {
        var r = new BigEndianReader(key);
        var type = r.Int16();
        var groupId = r.String() ?? "";
        var topic = "";
        var partition = -1;
        var memberId = "";
        if (type == OffsetKeyType)
        {
            topic = r.String() ?? "";
            partition = r.Int32();
        }
        else if (type is ConsumerMemberKeyType or ConsumerTargetKeyType or ConsumerCurrentKeyType)
        {
            memberId = r.String() ?? "";
        }

        parsed = new OffsetsTopicKey(type, groupId, topic, partition, memberId);
        return r.Ok && type is >= OffsetKeyType and <= ConsumerCurrentKeyType;
    }

    public static bool TryReadConsumerGroupValue(ReadOnlySpan<byte> value, out int groupEpoch, out int assignmentEpoch, out SortedDictionary<string, SubscribedTopic> topics)
    {
        var r = new BigEndianReader(value);
        var version = r.Int16();
        groupEpoch = r.Int32();
        assignmentEpoch = r.Int32();
        var count = r.Int32();
        topics = new SortedDictionary<string, SubscribedTopic>(StringComparer.Ordinal);
        if (count < 0 || count > value.Length)
        {
            return false;
        }

        for (var i = 0; i < count && r.Ok; i++)
        {
            var name = r.String() ?? "";
            topics[name] = new SubscribedTopic(name, r.Uuid(), r.Int32());
        }

        return r.Ok && version >= ValueVersion;
    }

    /// <summary>Restores a member's subscription into <paramref name="member"/>.</summary>
    public static bool TryReadConsumerMemberValue(ReadOnlySpan<byte> value, ConsumerGroupMember member)
    {
        var r = new BigEndianReader(value);
        var version = r.Int16();
        var instanceId = r.String();
        var rackId = r.String();
        var clientId = r.String() ?? "";
        var clientHost = r.String() ?? "";
        var rebalanceTimeoutMs = r.Int32();
        var count = r.Int32();
        if (!r.Ok || count < 0 || count > value.Length)
        {
            return false;
        }

        var names = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            names.Add(r.String() ?? "");
        }

        var regex = r.String();
        var assignor = r.String();
        if (!r.Ok || version < ValueVersion)
        {
            return false;
        }

        member.InstanceId = instanceId;
        member.RackId = rackId;
        member.ClientId = clientId;
        member.ClientHost = clientHost;
        member.RebalanceTimeoutMs = rebalanceTimeoutMs;
        member.SubscribedTopicNames = names;
        member.SubscribedTopicRegex = regex;
        member.ServerAssignor = assignor;
        return true;
    }

    public static bool TryReadConsumerTargetValue(ReadOnlySpan<byte> value, out ImmutableSortedSet<TopicIdPartition> partitions)
    {
        var r = new BigEndianReader(value);
        var version = r.Int16();
        partitions = ReadPartitions(ref r, value.Length);
        return r.Ok && version >= ValueVersion;
    }

    public static bool TryReadConsumerCurrentValue(ReadOnlySpan<byte> value, out MemberAssignment assignment)
    {
        var r = new BigEndianReader(value);
        var version = r.Int16();
        var epoch = r.Int32();
        var previous = r.Int32();
        var state = r.Int8();
        var assigned = ReadPartitions(ref r, value.Length);
        var pending = ReadPartitions(ref r, value.Length);
        assignment = new MemberAssignment(epoch, previous, (MemberState)state, assigned, pending);
        return r.Ok && version >= ValueVersion && state <= (byte)MemberState.UnreleasedPartitions;
    }

    public static bool TryReadOffsetValue(ReadOnlySpan<byte> value, out long offset, out int leaderEpoch, out string? metadata, out long commitTimestampMs)
    {
        var r = new BigEndianReader(value);
        var version = r.Int16();
        offset = r.Int64();
        leaderEpoch = r.Int32();
        metadata = r.String();
        commitTimestampMs = r.Int64();
        return r.Ok && version >= ValueVersion;
    }

    /// <summary>Restores generation, protocol, leader and members into <paramref name="group"/>.</summary>
    public static bool TryReadGroupValue(ReadOnlySpan<byte> value, CoordinatedGroup group, long nowMs)
    {
        var r = new BigEndianReader(value);
        var version = r.Int16();
        var protocolType = r.String();
        var generation = r.Int32();
        var protocol = r.String();
        var leader = r.String();
        var writtenMs = r.Int64();
        var count = r.Int32();
        if (!r.Ok || version < ValueVersion || count < 0 || count > value.Length)
        {
            return false;
        }

        var members = new List<GroupMember>(count);
        for (var i = 0; i < count; i++)
        {
            var member = new GroupMember(r.String() ?? "", r.String(), r.String() ?? "", r.String() ?? "")
            {
                RebalanceTimeoutMs = r.Int32(),
                SessionTimeoutMs = r.Int32(),
            };
            var subscription = r.Bytes();
            member.Assignment = r.Bytes() ?? Array.Empty<byte>();
            if (protocol is not null && subscription is not null)
            {
                member.Protocols.Add((protocol, subscription));
            }

            member.SessionDeadlineMs = nowMs + member.SessionTimeoutMs;
            members.Add(member);
        }

        if (!r.Ok)
        {
            return false;
        }

        group.Members.Clear();
        group.StaticMembers.Clear();
        group.ProtocolType = protocolType;
        group.GenerationId = generation;
        group.ProtocolName = protocol;
        group.LeaderId = leader;
        foreach (var member in members)
        {
            group.Members[member.MemberId] = member;
            if (member.GroupInstanceId is not null)
            {
                group.StaticMembers[member.GroupInstanceId] = member.MemberId;
            }
        }

        group.State = members.Count == 0 ? GroupState.Empty : GroupState.Stable;
        if (members.Count == 0)
        {
            // The record of an empty group is written when it becomes empty.
            group.EmptySinceMs = writtenMs;
        }

        return true;
    }

    /// <summary>Partitions grouped by topic: int32 topic count, then per topic uuid, int32 count, int32 partitions.</summary>
    private static void WritePartitions(BigEndianWriter w, ImmutableSortedSet<TopicIdPartition> partitions)
    {
        var byTopic = new List<(Guid TopicId, List<int> Partitions)>();
        foreach (var partition in partitions)
        {
            if (byTopic.Count == 0 || byTopic[^1].TopicId != partition.TopicId)
            {
                byTopic.Add((partition.TopicId, new List<int>()));
            }

            byTopic[^1].Partitions.Add(partition.Partition);
        }

        w.Int32(byTopic.Count);
        foreach (var (topicId, list) in byTopic)
        {
            w.Uuid(topicId);
            w.Int32(list.Count);
            foreach (var p in list)
            {
                w.Int32(p);
            }
        }
    }

    private static ImmutableSortedSet<TopicIdPartition> ReadPartitions(ref BigEndianReader r, int limit)
    {
        var builder = ImmutableSortedSet.CreateBuilder<TopicIdPartition>();
        var topics = r.Int32();
        if (topics < 0 || topics > limit)
        {
            r.Fail();
            return [];
        }

        for (var t = 0; t < topics && r.Ok; t++)
        {
            var topicId = r.Uuid();
            var count = r.Int32();
            if (count < 0 || count > limit)
            {
                r.Fail();
                return [];
            }

            for (var i = 0; i < count && r.Ok; i++)
            {
                builder.Add(new TopicIdPartition(topicId, r.Int32()));
            }
        }

        return builder.ToImmutable();
    }
}
