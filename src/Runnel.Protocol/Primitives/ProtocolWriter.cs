using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Runnel.Protocol.Primitives;

/// <summary>
/// Encodes Kafka protocol primitives into a span sized beforehand by the message's
/// <c>GetSize</c>, so encoding never grows or copies a buffer.
/// </summary>
public ref struct ProtocolWriter
{
    private readonly Span<byte> _span;
    private int _position;

    public ProtocolWriter(Span<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly int Position => _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Take(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
        {
            ThrowHelper.ThrowBufferTooSmall();
        }

        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    public void WriteInt8(sbyte value) => Take(1)[0] = (byte)value;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(2), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Take(8), value);

    public void WriteBool(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteUuid(Guid value) => value.TryWriteBytes(Take(16), bigEndian: true, out _);

    public void WriteUnsignedVarInt(uint value)
    {
        while (value >= 0x80)
        {
            Take(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Take(1)[0] = (byte)value;
    }

    private void WriteLength(int length, bool compact, bool shortLength)
    {
        if (compact)
        {
            WriteUnsignedVarInt((uint)(length + 1));
        }
        else if (shortLength)
        {
            WriteInt16((short)length);
        }
        else
        {
            WriteInt32(length);
        }
    }

    public void WriteString(string? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact, shortLength: true);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteLength(length, compact, shortLength: true);
        Encoding.UTF8.GetBytes(value, Take(length));
    }

    public void WriteBytes(byte[]? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact, shortLength: false);
            return;
        }

        WriteLength(value.Length, compact, shortLength: false);
        value.CopyTo(Take(value.Length));
    }

    public void WriteRecords(ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is not { } records)
        {
            WriteLength(-1, compact, shortLength: false);
            return;
        }

        WriteLength(records.Length, compact, shortLength: false);
        records.Span.CopyTo(Take(records.Length));
    }

    public void WriteArrayLength(int count, bool compact) => WriteLength(count, compact, shortLength: false);

    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));
}
