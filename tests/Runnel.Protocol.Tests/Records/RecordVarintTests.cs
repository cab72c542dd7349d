using CsCheck;
using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests.Records;

public class RecordVarintTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(300, new byte[] { 0xD8, 0x04 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Varint_encoding_matches_zigzag_leb128(int value, byte[] expected)
    {
        var buffer = new byte[RecordVarint.MaxVarintLength];
        Assert.True(RecordVarint.TryWriteVarint(buffer, value, out var written));
        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, RecordVarint.SizeOfVarint(value));
        Assert.True(RecordVarint.TryReadVarint(expected, out var read, out var consumed));
        Assert.Equal(value, read);
        Assert.Equal(expected.Length, consumed);
    }

    [Fact]
    public void Varint_round_trips_for_any_int()
    {
        Gen.Int.Sample(value =>
        {
            Span<byte> buffer = stackalloc byte[RecordVarint.MaxVarintLength];
            Assert.True(RecordVarint.TryWriteVarint(buffer, value, out var written));
            Assert.Equal(RecordVarint.SizeOfVarint(value), written);
            Assert.True(RecordVarint.TryReadVarint(buffer[..written], out var read, out var consumed));
            Assert.Equal(value, read);
            Assert.Equal(written, consumed);
        });
    }

    [Fact]
    public void Varlong_round_trips_for_any_long()
    {
        Gen.Long.Sample(value =>
        {
            Span<byte> buffer = stackalloc byte[RecordVarint.MaxVarlongLength];
            Assert.True(RecordVarint.TryWriteVarlong(buffer, value, out var written));
            Assert.Equal(RecordVarint.SizeOfVarlong(value), written);
            Assert.True(RecordVarint.TryReadVarlong(buffer[..written], out var read, out var consumed));
            Assert.Equal(value, read);
            Assert.Equal(written, consumed);
        });
    }

    [Fact]
    public void Truncated_varint_is_rejected()
    {
        Assert.False(RecordVarint.TryReadVarint([], out _, out _));
        Assert.False(RecordVarint.TryReadVarint([0x80], out _, out _));
        Assert.False(RecordVarint.TryReadVarint([0xFF, 0xFF, 0xFF, 0xFF], out _, out _));
        Assert.False(RecordVarint.TryReadVarlong([0xFF, 0xFF], out _, out _));
    }

    [Fact]
    public void Overlong_varint_is_rejected()
    {
        // Six bytes, and a fifth byte with bits beyond 32.
        Assert.False(RecordVarint.TryReadVarint([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _, out _));
        Assert.False(RecordVarint.TryReadVarint([0xFF, 0xFF, 0xFF, 0xFF, 0x1F], out _, out _));
        Assert.False(RecordVarint.TryReadVarlong([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], out _, out _));
        Assert.False(RecordVarint.TryReadVarlong([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _, out _));
    }

    [Fact]
    public void Non_minimal_encoding_is_accepted_as_kafka_does()
    {
        Assert.True(RecordVarint.TryReadVarint([0x80, 0x00], out var value, out var consumed));
        Assert.Equal(0, value);
        Assert.Equal(2, consumed);
    }

    [Fact]
    public void Write_into_too_small_buffer_fails_without_throwing()
    {
        Assert.False(RecordVarint.TryWriteVarint(new byte[1], 300, out var written));
        Assert.Equal(0, written);
        Assert.False(RecordVarint.TryWriteVarlong([], 0, out _));
    }
}
