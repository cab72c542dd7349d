using System.Buffers.Binary;

namespace Runnel.Protocol.Records;

/// <summary>
/// Checks a gzip stream's final trailer (CRC-32 and ISIZE of the last member, RFC 1952 §2.3.1)
/// against decompressed output. <see cref="System.IO.Compression.GZipStream"/> ends quietly when
/// its input stops inside a member, so without this a truncated batch would decode as a shorter,
/// apparently valid one. The last member's content is the output's final ISIZE bytes, which makes
/// the check exact for one member (what Kafka clients write) and for several.
/// </summary>
internal static class GzipTrailer
{
    private const int TrailerLength = 8;

    private static readonly uint[] s_table = BuildTable();

    public static bool Matches(ReadOnlySpan<byte> compressed, ReadOnlySpan<byte> output)
    {
        if (compressed.Length < TrailerLength)
        {
            return false;
        }

        var trailer = compressed[^TrailerLength..];
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var lastMemberLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);

        // Output is capped below 2 GiB, so ISIZE (length mod 2^32) is the exact length here.
        if (lastMemberLength > (uint)output.Length)
        {
            return false;
        }

        return Compute(output[^(int)lastMemberLength..]) == expectedCrc;
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as gzip uses.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var table = s_table;
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc = table[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var value = i;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? 0xEDB88320u ^ (value >> 1) : value >> 1;
            }

            table[i] = value;
        }

        return table;
    }
}
