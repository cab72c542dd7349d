using System.Runtime.CompilerServices;

namespace Runnel.Protocol.Records;

/// <summary>
/// The variable-length integers used inside RecordBatch v2 records: LEB128 groups of seven bits,
/// low group first, with zig-zag mapping for the signed forms (Kafka's <c>ByteUtils.readVarint</c>,
/// <c>readVarlong</c>). Static and allocation-free; readers return <see langword="false"/> rather
/// than throwing, because record bytes come from clients and a bad varint is an expected outcome.
/// </summary>
/// <remarks>
/// Overlong input is rejected: an int varint may take at most 5 bytes and the fifth may carry only
/// the 4 remaining bits; a long varint at most 10 bytes with a fifth-bit-free tenth byte. Non-minimal
/// encodings (such as <c>80 00</c> for zero) are accepted, as Kafka accepts them.
/// </remarks>
public static class RecordVarint
{
    /// <summary>Longest encoding of a 32-bit varint.</summary>
    public const int MaxVarintLength = 5;

    /// <summary>Longest encoding of a 64-bit varint.</summary>
    public const int MaxVarlongLength = 10;

    /// <summary>Reads an unsigned 32-bit varint.</summary>
    public static bool TryReadUnsignedVarint(ReadOnlySpan<byte> source, out uint value, out int bytesRead)
    {
        uint result = 0;
        var limit = Math.Min(source.Length, MaxVarintLength);
        for (var i = 0; i < limit; i++)
        {
            uint b = source[i];
            if (i == MaxVarintLength - 1 && b > 0x0F)
            {
                // The fifth byte holds bits 28..31 only: a continuation bit or higher bits mean overlong.
                break;
            }

            result |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                value = result;
                bytesRead = i + 1;
                return true;
            }
        }

        value = 0;
        bytesRead = 0;
        return false;
    }

    /// <summary>Reads an unsigned 64-bit varint.</summary>
    public static bool TryReadUnsignedVarlong(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        ulong result = 0;
        var limit = Math.Min(source.Length, MaxVarlongLength);
        for (var i = 0; i < limit; i++)
        {
            ulong b = source[i];
            if (i == MaxVarlongLength - 1 && b > 0x01)
            {
                // The tenth byte holds bit 63 only.
                break;
            }

            result |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                value = result;
                bytesRead = i + 1;
                return true;
            }
        }

        value = 0;
        bytesRead = 0;
        return false;
    }

    /// <summary>Reads a zig-zag signed 32-bit varint (record lengths, offset deltas, counts).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarint(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        // Fast path: one byte covers -64..63, which is every attribute-free small length.
        if (source.Length > 0 && source[0] < 0x80)
        {
            uint b = source[0];
            value = (int)(b >> 1) ^ -(int)(b & 1);
            bytesRead = 1;
            return true;
        }

        if (TryReadUnsignedVarint(source, out var raw, out bytesRead))
        {
            value = DecodeZigZag(raw);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Reads a zig-zag signed 64-bit varint (timestamp deltas).</summary>
    public static bool TryReadVarlong(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        if (TryReadUnsignedVarlong(source, out var raw, out bytesRead))
        {
            value = DecodeZigZag(raw);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Writes an unsigned 32-bit varint; false when <paramref name="destination"/> is too short.</summary>
    public static bool TryWriteUnsignedVarint(Span<byte> destination, uint value, out int bytesWritten)
    {
        var i = 0;
        while (value >= 0x80)
        {
            if (i >= destination.Length)
            {
                bytesWritten = 0;
                return false;
            }

            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        if (i >= destination.Length)
        {
            bytesWritten = 0;
            return false;
        }

        destination[i++] = (byte)value;
        bytesWritten = i;
        return true;
    }

    /// <summary>Writes an unsigned 64-bit varint; false when <paramref name="destination"/> is too short.</summary>
    public static bool TryWriteUnsignedVarlong(Span<byte> destination, ulong value, out int bytesWritten)
    {
        var i = 0;
        while (value >= 0x80)
        {
            if (i >= destination.Length)
            {
                bytesWritten = 0;
                return false;
            }

            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        if (i >= destination.Length)
        {
            bytesWritten = 0;
            return false;
        }

        destination[i++] = (byte)value;
        bytesWritten = i;
        return true;
    }

    /// <summary>Writes a zig-zag signed 32-bit varint.</summary>
    public static bool TryWriteVarint(Span<byte> destination, int value, out int bytesWritten) =>
        TryWriteUnsignedVarint(destination, EncodeZigZag(value), out bytesWritten);

    /// <summary>Writes a zig-zag signed 64-bit varint.</summary>
    public static bool TryWriteVarlong(Span<byte> destination, long value, out int bytesWritten) =>
        TryWriteUnsignedVarlong(destination, EncodeZigZag(value), out bytesWritten);

    /// <summary>Bytes <see cref="TryWriteVarint"/> uses for <paramref name="value"/>.</summary>
    public static int SizeOfVarint(int value) => SizeOfUnsignedVarlong(EncodeZigZag(value));

    /// <summary>Bytes <see cref="TryWriteVarlong"/> uses for <paramref name="value"/>.</summary>
    public static int SizeOfVarlong(long value) => SizeOfUnsignedVarlong(EncodeZigZag(value));

    /// <summary>Bytes an unsigned varint of <paramref name="value"/> uses.</summary>
    public static int SizeOfUnsignedVarlong(ulong value)
    {
        // Seven payload bits per byte; zero still takes one byte.
        var bits = 64 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (bits + 6) / 7;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint EncodeZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong EncodeZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int DecodeZigZag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long DecodeZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
