using System.Text;
using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests;

public class Crc32CTests
{
    [Fact]
    public void Check_value_of_123456789_matches_the_standard()
    {
        // The CRC-32C check value from the Castagnoli polynomial's catalogue entry.
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Incremental_append_equals_one_shot()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var state = Crc32C.Append(uint.MaxValue, data.AsSpan(0, 333));
        state = Crc32C.Append(state, data.AsSpan(333));
        Assert.Equal(Crc32C.Compute(data), ~state);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(767)]
    [InlineData(768)]
    [InlineData(769)]
    [InlineData(3 * 8192 - 1)]
    [InlineData(3 * 8192)]
    [InlineData(3 * 8192 + 3 * 256 + 5)]
    [InlineData(1 << 20)]
    public void The_interleaved_streams_agree_with_a_bit_by_bit_reference(int length)
    {
        var data = new byte[length + 3];
        new Random(length).NextBytes(data);

        // Every alignment of the start, so the unaligned reads are covered too.
        for (var start = 0; start < 3; start++)
        {
            var slice = data.AsSpan(start, length);
            Assert.Equal(Reference(slice), Crc32C.Compute(slice));
        }
    }

    [Fact]
    public void Appending_in_random_pieces_equals_one_shot_across_block_boundaries()
    {
        var random = new Random(11);
        var data = new byte[200_000];
        random.NextBytes(data);
        var expected = Reference(data);
        for (var round = 0; round < 20; round++)
        {
            var state = uint.MaxValue;
            var position = 0;
            while (position < data.Length)
            {
                var piece = Math.Min(data.Length - position, random.Next(0, 60_000));
                state = Crc32C.Append(state, data.AsSpan(position, piece));
                position += piece;
            }

            Assert.Equal(expected, ~state);
        }
    }

    /// <summary>The textbook reflected CRC-32C, one bit at a time: slow and obviously right.</summary>
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
