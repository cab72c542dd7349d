using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Runnel.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of RecordBatch v2. Uses the SSE4.2/ARM CRC32C instruction
/// through <see cref="BitOperations.Crc32C(uint, ulong)"/>, eight bytes per step; the JIT falls back
/// to a software table when the instruction is missing.
/// </summary>
public static class Crc32C
{
    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>Continues a running CRC (pre-inverted state; start with <see cref="uint.MaxValue"/>).</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        var longs = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var value in longs)
        {
            state = BitOperations.Crc32C(state, BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
        }

        for (var i = longs.Length * 8; i < data.Length; i++)
        {
            state = BitOperations.Crc32C(state, data[i]);
        }

        return state;
    }
}
