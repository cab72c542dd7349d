using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Runnel.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of RecordBatch v2, on the SSE4.2/ARM CRC32C instruction
/// through <see cref="BitOperations.Crc32C(uint, ulong)"/> (the JIT falls back to a software table
/// when the instruction is missing).
/// </summary>
/// <remarks>
/// One stream of CRC32 instructions is bound by the instruction's latency (three cycles per eight
/// bytes), not its throughput (one per cycle). Buffers of at least three blocks are therefore cut
/// into three interleaved streams whose results are joined by "shifting" a CRC over a block of zero
/// bytes, which is a linear map on the 32-bit register and so a lookup in four precomputed 256-entry
/// tables (the technique of Intel's crc_pcl and Mark Adler's crc32c.c). Batches from 768 bytes up
/// take this path; each produced batch is checksummed once, so this is on the produce hot path.
/// </remarks>
public static class Crc32C
{
    /// <summary>Bytes per stream in the long loop: big enough that the two shifts per 24 KiB cost nothing.</summary>
    private const int LongBlock = 8192;

    /// <summary>Bytes per stream for what remains below three long blocks.</summary>
    private const int ShortBlock = 256;

    private static readonly uint[] s_longShift = ZerosOperator(LongBlock);
    private static readonly uint[] s_shortShift = ZerosOperator(ShortBlock);

    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>Continues a running CRC (pre-inverted state; start with <see cref="uint.MaxValue"/>).</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 3 * LongBlock)
        {
            state = ThreeStreams(state, data, LongBlock, s_longShift);
            data = data[(3 * LongBlock)..];
        }

        while (data.Length >= 3 * ShortBlock)
        {
            state = ThreeStreams(state, data, ShortBlock, s_shortShift);
            data = data[(3 * ShortBlock)..];
        }

        return OneStream(state, data);
    }

    private static uint OneStream(uint state, ReadOnlySpan<byte> data)
    {
        var longs = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var value in longs)
        {
            state = BitOperations.Crc32C(state, LittleEndian(value));
        }

        for (var i = longs.Length * 8; i < data.Length; i++)
        {
            state = BitOperations.Crc32C(state, data[i]);
        }

        return state;
    }

    /// <summary>
    /// The CRC of the first <c>3 × block</c> bytes: three independent streams (the second and third
    /// starting from a zero register), then the first shifted over a block and joined with the
    /// second, and that shifted and joined with the third.
    /// </summary>
    private static uint ThreeStreams(uint crc0, ReadOnlySpan<byte> data, int block, uint[] shift)
    {
        ref var first = ref MemoryMarshal.GetReference(data);
        ref var second = ref Unsafe.Add(ref first, block);
        ref var third = ref Unsafe.Add(ref first, 2 * block);
        uint crc1 = 0, crc2 = 0;

        // The caller guarantees 3 × block bytes, so the unchecked reads stay inside the span.
        for (var offset = 0; offset < block; offset += sizeof(ulong))
        {
            crc0 = BitOperations.Crc32C(crc0, LittleEndian(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, offset))));
            crc1 = BitOperations.Crc32C(crc1, LittleEndian(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref second, offset))));
            crc2 = BitOperations.Crc32C(crc2, LittleEndian(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref third, offset))));
        }

        crc0 = Shift(shift, crc0) ^ crc1;
        return Shift(shift, crc0) ^ crc2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LittleEndian(ulong value) => BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);

    /// <summary>The register after <c>block</c> zero bytes, from the four byte-lookup tables of <paramref name="shift"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint[] shift, uint crc) =>
        shift[(int)(crc & 0xFF)]
        ^ shift[256 + (int)((crc >> 8) & 0xFF)]
        ^ shift[512 + (int)((crc >> 16) & 0xFF)]
        ^ shift[768 + (int)(crc >> 24)];

    /// <summary>
    /// Tables of the linear map "feed <paramref name="zeroBytes"/> zero bytes into the register":
    /// entry <c>256 k + b</c> is the image of <c>b &lt;&lt; 8k</c>. Built from the images of the 32 single
    /// bits, each computed with the instruction itself (a few hundred thousand steps, once).
    /// </summary>
    private static uint[] ZerosOperator(int zeroBytes)
    {
        Span<uint> columns = stackalloc uint[32];
        for (var bit = 0; bit < 32; bit++)
        {
            var register = 1u << bit;
            for (var i = 0; i < zeroBytes; i += sizeof(ulong))
            {
                register = BitOperations.Crc32C(register, 0UL);
            }

            columns[bit] = register;
        }

        var table = new uint[4 * 256];
        for (var k = 0; k < 4; k++)
        {
            for (var b = 0; b < 256; b++)
            {
                var image = 0u;
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((b & (1 << bit)) != 0)
                    {
                        image ^= columns[(8 * k) + bit];
                    }
                }

                table[(256 * k) + b] = image;
            }
        }

        return table;
    }
}
