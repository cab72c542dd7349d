using System.Buffers.Binary;
using System.Text;

namespace Runnel.Broker.Groups;

/// <summary>
/// Reads the topic list out of a classic "consumer" member's subscription metadata, the one part of
/// the otherwise opaque bytes the coordinator needs (OffsetDelete and offset expiry skip topics a
/// live group consumes). Layout, every version: int16 version, int32 topic count, then int16-length
/// UTF-8 names; later fields (user data, owned partitions, generation, rack) are not read.
/// </summary>
public static class ConsumerProtocolSubscription
{
    /// <summary>The protocol type of groups made of Kafka consumers.</summary>
    public const string ProtocolType = "consumer";

    /// <summary>False when the bytes are not a subscription this layout can read.</summary>
    public static bool TryContainsTopic(ReadOnlySpan<byte> metadata, string topic, out bool contains)
    {
        contains = false;
        if (metadata.Length < 6 || BinaryPrimitives.ReadInt16BigEndian(metadata) < 0)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(metadata[2..]);
        var rest = metadata[6..];

        // Every name takes at least its two length bytes: a larger count is corrupt, not a reason to loop.
        if (count < 0 || count > rest.Length / 2)
        {
            return false;
        }

        var expectedLength = Encoding.UTF8.GetByteCount(topic);
        var expectedBytes = expectedLength <= 256 ? stackalloc byte[expectedLength] : new byte[expectedLength];
        Encoding.UTF8.GetBytes(topic, expectedBytes);
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < 2)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadInt16BigEndian(rest);
            rest = rest[2..];
            if (length < 0 || length > rest.Length)
            {
                return false;
            }

            if (rest[..length].SequenceEqual(expectedBytes))
            {
                contains = true;
            }

            rest = rest[length..];
        }

        return true;
    }
}
