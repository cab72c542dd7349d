using System.Text;

namespace Runnel.Protocol.Primitives;

/// <summary>Encoded sizes of variable-length primitives, matching <see cref="ProtocolWriter"/>.</summary>
public static class ProtocolSizes
{
    public static int UnsignedVarInt(uint value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static int Length(int length, bool compact, bool shortLength) =>
        compact ? UnsignedVarInt((uint)(length + 1)) : shortLength ? 2 : 4;

    public static int String(string? value, bool compact)
    {
        if (value is null)
        {
            return Length(-1, compact, shortLength: true);
        }

        var length = Encoding.UTF8.GetByteCount(value);
        return Length(length, compact, shortLength: true) + length;
    }

    public static int Bytes(byte[]? value, bool compact) =>
        value is null ? Length(-1, compact, shortLength: false) : Length(value.Length, compact, shortLength: false) + value.Length;

    public static int Records(ReadOnlyMemory<byte>? value, bool compact) =>
        value is not { } records ? Length(-1, compact, shortLength: false) : Length(records.Length, compact, shortLength: false) + records.Length;

    public static int ArrayLength(int count, bool compact) => Length(count, compact, shortLength: false);
}
