using System.Buffers.Binary;
using System.Text;

namespace Runnel.Broker.Coordination;

/// <summary>
/// Writes the keys and values of the coordinators' internal records (<c>__consumer_offsets</c>,
/// <c>__transaction_state</c>): big-endian integers, strings as int16 length + UTF-8 (-1 = null),
/// bytes as int32 length + data. Records are small and written once per state change, so a
/// growable stream is enough.
/// </summary>
internal sealed class BigEndianWriter
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

    public void Int8(byte value) => _stream.WriteByte(value);

    public void Uuid(Guid value)
    {
        Span<byte> b = stackalloc byte[16];
        value.TryWriteBytes(b, bigEndian: true, out _);
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
