using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Runnel.Protocol.Primitives;

/// <summary>
/// Decodes Kafka protocol primitives from one contiguous message buffer. Every length read from
/// the wire is checked against the bytes that remain before anything is allocated, so a hostile
/// length field can never make the broker allocate more than the (already size-capped) frame.
/// <c>records</c> fields are returned as slices of the underlying memory, not copies: the owner of
/// the buffer must keep it alive until the decoded message is no longer used.
/// </summary>
public ref struct ProtocolReader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public ProtocolReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    public readonly bool End => _position >= _span.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.Truncated);
        }

        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    public bool ReadBool()
    {
        var b = Take(1)[0];
        if (b > 1)
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.InvalidBoolean);
        }

        return b != 0;
    }

    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarInt()
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            result |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        ThrowHelper.ThrowProtocol(ProtocolErrorReason.VarIntTooLong);
        return 0;
    }

    /// <summary>
    /// Reads a string length (int16, or compact unsigned varint N+1) and returns -1 for null.
    /// </summary>
    private int ReadLength(bool compact, bool shortLength)
    {
        int length;
        if (compact)
        {
            var raw = ReadUnsignedVarInt();
            if (raw > int.MaxValue)
            {
                ThrowHelper.ThrowProtocol(ProtocolErrorReason.LengthExceedsRemaining);
            }

            length = (int)raw - 1;
        }
        else
        {
            length = shortLength ? ReadInt16() : ReadInt32();
        }

        if (length < -1)
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.NegativeLength);
        }

        if (length > Remaining)
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.LengthExceedsRemaining);
        }

        return length;
    }

    public string? ReadString(bool compact, bool nullable)
    {
        var length = ReadLength(compact, shortLength: true);
        if (length < 0)
        {
            if (!nullable)
            {
                ThrowHelper.ThrowProtocol(ProtocolErrorReason.NullNotAllowed);
            }

            return null;
        }

        if (length == 0)
        {
            return string.Empty;
        }

        try
        {
            return s_strictUtf8.GetString(Take(length));
        }
        catch (DecoderFallbackException)
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.InvalidUtf8);
            return null;
        }
    }

    /// <summary>
    /// <see cref="ReadString"/>, but returns <paramref name="previous"/> itself when the bytes spell it
    /// in ASCII: a connection's requests repeat one client id and the same topic names, and decoding
    /// them anew is a string each per request (generated reads pass the field's current value).
    /// </summary>
    public string? ReadStringReusing(string? previous, bool compact, bool nullable)
    {
        if (previous is null || previous.Length == 0)
        {
            return ReadString(compact, nullable);
        }

        var start = _position;
        var length = ReadLength(compact, shortLength: true);
        if (length == previous.Length && length <= _span.Length - _position && Ascii.Equals(_span.Slice(_position, length), previous))
        {
            _position += length;
            return previous;
        }

        _position = start;
        return ReadString(compact, nullable);
    }

    public byte[]? ReadBytes(bool compact, bool nullable)
    {
        var length = ReadLength(compact, shortLength: false);
        if (length < 0)
        {
            if (!nullable)
            {
                ThrowHelper.ThrowProtocol(ProtocolErrorReason.NullNotAllowed);
            }

            return null;
        }

        return Take(length).ToArray();
    }

    /// <summary>Returns the record-batch bytes as a slice of the message buffer (no copy).</summary>
    public ReadOnlyMemory<byte>? ReadRecords(bool compact)
    {
        var length = ReadLength(compact, shortLength: false);
        if (length < 0)
        {
            return null;
        }

        var start = _position;
        Take(length);
        return _memory.Slice(start, length);
    }

    /// <summary>
    /// Reads an array count; -1 means null. The count is checked against the remaining bytes
    /// (every element takes at least one byte), which bounds the list the caller allocates.
    /// </summary>
    public int ReadArrayLength(bool compact, bool nullable)
    {
        var length = ReadLength(compact, shortLength: false);
        if (length < 0 && !nullable)
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.NullNotAllowed);
        }

        return length;
    }

    /// <summary>Reads the presence byte of a nullable struct: false when null.</summary>
    public bool ReadStructPresence() => ReadInt8() >= 0;

    /// <summary>Copies raw bytes (unknown tagged fields).</summary>
    public byte[] ReadRawBytes(int size)
    {
        if (size < 0)
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.NegativeLength);
        }

        return Take(size).ToArray();
    }

    public void Skip(int size)
    {
        if (size < 0)
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.NegativeLength);
        }

        Take(size);
    }

    /// <summary>Reads a tagged field's size and checks it fits.</summary>
    public int ReadTaggedFieldSize()
    {
        var size = ReadUnsignedVarInt();
        if (size > (uint)Remaining)
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.LengthExceedsRemaining);
        }

        return (int)size;
    }

    /// <summary>Checks that a known tagged field consumed exactly its declared size.</summary>
    public readonly void EnsureTaggedFieldConsumed(int start, int size)
    {
        if (_position - start != size)
        {
            ThrowHelper.ThrowProtocol(ProtocolErrorReason.TaggedFieldSizeMismatch);
        }
    }
}
