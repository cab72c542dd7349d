using System.Buffers.Binary;
using System.Text;

namespace Runnel.Broker.Coordination;

/// <summary>
/// Reads what <see cref="BigEndianWriter"/> wrote. Records come from disk and may be damaged, so
/// reading past the end never throws: it clears <see cref="Ok"/> and returns defaults, and the caller
/// checks <see cref="Ok"/> once at the end.
/// </summary>
internal ref struct BigEndianReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public bool Ok { get; private set; } = true;

    /// <summary>Marks the input bad (a count out of range, say).</summary>
    public void Fail() => Ok = false;

    public short Int16() => Ok && _data.Length - _position >= 2 ? BinaryPrimitives.ReadInt16BigEndian(Take(2)) : Fail<short>();

    public int Int32() => Ok && _data.Length - _position >= 4 ? BinaryPrimitives.ReadInt32BigEndian(Take(4)) : Fail<int>();

    public long Int64() => Ok && _data.Length - _position >= 8 ? BinaryPrimitives.ReadInt64BigEndian(Take(8)) : Fail<long>();

    public byte Int8() => Ok && _data.Length - _position >= 1 ? Take(1)[0] : Fail<byte>();

    public Guid Uuid() => Ok && _data.Length - _position >= 16 ? new Guid(Take(16), bigEndian: true) : Fail<Guid>();

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

    private T Fail<T>()
        where T : struct
    {
        Ok = false;
        return default;
    }
}
