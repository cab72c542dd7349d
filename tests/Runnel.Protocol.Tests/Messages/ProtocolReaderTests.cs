using Runnel.Protocol.Primitives;

namespace Runnel.Protocol.Tests.Messages;

public class ProtocolReaderTests
{
    [Fact]
    public void A_string_length_beyond_the_message_is_rejected_before_allocating()
    {
        byte[] bytes = [0x7F, 0xFF, (byte)'a'];
        var ex = Assert.Throws<ProtocolException>(() =>
        {
            var reader = new ProtocolReader(bytes);
            reader.ReadString(compact: false, nullable: false);
        });
        Assert.Equal(ProtocolErrorReason.LengthExceedsRemaining, ex.Reason);
    }

    [Fact]
    public void An_array_count_beyond_the_message_is_rejected()
    {
        byte[] bytes = [0x7F, 0xFF, 0xFF, 0xFF, 0];
        var ex = Assert.Throws<ProtocolException>(() =>
        {
            var reader = new ProtocolReader(bytes);
            reader.ReadArrayLength(compact: false, nullable: false);
        });
        Assert.Equal(ProtocolErrorReason.LengthExceedsRemaining, ex.Reason);
    }

    [Fact]
    public void A_varint_longer_than_five_bytes_is_rejected()
    {
        byte[] bytes = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        var ex = Assert.Throws<ProtocolException>(() =>
        {
            var reader = new ProtocolReader(bytes);
            reader.ReadUnsignedVarInt();
        });
        Assert.Equal(ProtocolErrorReason.VarIntTooLong, ex.Reason);
    }

    [Fact]
    public void Null_in_a_non_nullable_version_is_rejected()
    {
        byte[] bytes = [0xFF, 0xFF];
        var ex = Assert.Throws<ProtocolException>(() =>
        {
            var reader = new ProtocolReader(bytes);
            reader.ReadString(compact: false, nullable: false);
        });
        Assert.Equal(ProtocolErrorReason.NullNotAllowed, ex.Reason);
    }

    [Fact]
    public void Compact_null_string_reads_as_null_when_nullable()
    {
        byte[] bytes = [0x00];
        var reader = new ProtocolReader(bytes);
        Assert.Null(reader.ReadString(compact: true, nullable: true));
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        byte[] bytes = [0x00, 0x02, 0xC3, 0x28];
        var ex = Assert.Throws<ProtocolException>(() =>
        {
            var reader = new ProtocolReader(bytes);
            reader.ReadString(compact: false, nullable: false);
        });
        Assert.Equal(ProtocolErrorReason.InvalidUtf8, ex.Reason);
    }

    [Fact]
    public void Truncated_fixed_width_field_is_rejected()
    {
        byte[] bytes = [0x00, 0x01, 0x02];
        Assert.Throws<ProtocolException>(() =>
        {
            var reader = new ProtocolReader(bytes);
            reader.ReadInt32();
        });
    }
}
