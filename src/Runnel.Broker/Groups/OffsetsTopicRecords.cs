using System.Buffers.Binary;
using System.Text;

namespace Runnel.Broker.Groups;

/// <summary>
/// Keys and values of the records in <c>__consumer_offsets</c> (docs/formats/consumer-offsets.md).
/// Big-endian; strings are int16 length + UTF-8 (-1 = null), bytes int32 length + data.
/// Key: int16 type (1 = offset commit, 2 = group metadata), group id, then for offsets topic and
/// partition. A null value is a tombstone. Values start with an int16 version (1).
/// </summary>
public static class OffsetsTopicRecords
{
    public const short OffsetKeyType = 1;
    public const short GroupKeyType = 2;
    public const short ValueVersion = 1;

    public static byte[] OffsetKey(string groupId, string topic, int partition)
    {
        var w = new Writer();
        w.Int16(OffsetKeyType);
        w.String(groupId);
        w.String(topic);
        w.Int32(partition);
        return w.ToArray();
    }

    public static byte[] GroupKey(string groupId)
    {
        var w = new Writer();
        w.Int16(GroupKeyType);
        w.String(groupId);
        return w.ToArray();
    }

    public static byte[] OffsetValue(long offset, int leaderEpoch, string? metadata, long commitTimestampMs)
    {
        var w = new Writer();
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
        var w = new Writer();
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
    public static bool TryReadKey(ReadOnlySpan<byte> key, out short type, out string groupId, out string topic, out int partition)
    {
        var r = new Reader(key);
        type = r.Int16();
        groupId = r.String() ?? "";
        topic = "";
        partition = -1;
        if (type == OffsetKeyType)
        {
            topic = r.String() ?? "";
            partition = r.Int32();
        }

        return r.Ok && (type == OffsetKeyType || type == GroupKeyType);
    }

    public static bool TryReadOffsetValue(ReadOnlySpan<byte> value, out long offset, out int leaderEpoch, out string? metadata, out long commitTimestampMs)
    {
        var r = new Reader(value);
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
        var r = new Reader(value);
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

    private sealed class Writer
    {
        private readonly MemoryStream _stream = new();

        public void Int16(short value)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(b, value);
            _stream.Write(b);
        }

        public void Int32(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, value);
            _stream.Write(b);
        }

        public void Int64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(b, value);
            _stream.Write(b);
        }

        public void String(string? value)
        {
            if (value is null)
            {
                Int16(-1);
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(value);
            Int16(checked((short)bytes.Length));
            _stream.Write(bytes);
        }

        public void Bytes(byte[]? value)
        {
            if (value is null)
            {
                Int32(-1);
                return;
            }

            Int32(value.Length);
            _stream.Write(value);
        }

        public byte[] ToArray() => _stream.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public bool Ok { get; private set; } = true;

        private ReadOnlySpan<byte> Take(int count)
        {
            if (!Ok || count < 0 || _data.Length - _position < count)
            {
                Ok = false;
                return default;
            }

            var slice = _data.Slice(_position, count);
            _position += count;
            return slice;
        }

        public short Int16() => Ok && _data.Length - _position >= 2 ? BinaryPrimitives.ReadInt16BigEndian(Take(2)) : Fail<short>();

        public int Int32() => Ok && _data.Length - _position >= 4 ? BinaryPrimitives.ReadInt32BigEndian(Take(4)) : Fail<int>();

        public long Int64() => Ok && _data.Length - _position >= 8 ? BinaryPrimitives.ReadInt64BigEndian(Take(8)) : Fail<long>();

        public string? String()
        {
            var length = Int16();
            if (length < 0)
            {
                return null;
            }

            var bytes = Take(length);
            return Ok ? Encoding.UTF8.GetString(bytes) : null;
        }

        public byte[]? Bytes()
        {
            var length = Int32();
            if (length < 0)
            {
                return null;
            }

            var bytes = Take(length);
            return Ok ? bytes.ToArray() : null;
        }

        private T Fail<T>()
            where T : struct
        {
            Ok = false;
            return default;
        }
    }
}
