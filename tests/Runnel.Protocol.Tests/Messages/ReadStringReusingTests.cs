using System.Text;
using Runnel.Protocol.Framing;
using Runnel.Protocol.Primitives;

namespace Runnel.Protocol.Tests.Messages;

/// <summary>A header read again keeps its client id string when the next request repeats it, and decodes anything else as before.</summary>
public class ReadStringReusingTests
{
    private static byte[] ShortString(string? value)
    {
        if (value is null)
        {
            return [0xFF, 0xFF];
        }

        var utf8 = Encoding.UTF8.GetBytes(value);
        return [(byte)(utf8.Length >> 8), (byte)utf8.Length, .. utf8, 0x2A];
    }

    private static (string? Value, int Position) Read(byte[] bytes, string? previous)
    {
        var reader = new ProtocolReader(bytes);
        var value = reader.ReadStringReusing(previous, compact: false, nullable: true);
        return (value, reader.Position);
    }

    [Fact]
    public void The_same_ascii_text_returns_the_previous_instance()
    {
        var previous = new string("rdkafka-producer".AsSpan());

        var (value, position) = Read(ShortString("rdkafka-producer"), previous);

        Assert.Same(previous, value);
        Assert.Equal(2 + 16, position);
    }

    [Theory]
    [InlineData("rdkafka-producer", "rdkafka-consumer")]
    [InlineData("rdkafka", "rdkafka-producer")]
    [InlineData("kafka-é", "kafka-é")]
    [InlineData("", "x")]
    [InlineData(null, "x")]
    [InlineData("x", null)]
    [InlineData("x", "")]
    public void Anything_else_is_decoded_as_ReadString_does(string? text, string? previous)
    {
        var bytes = ShortString(text);
        var expected = new ProtocolReader(bytes);
        var expectedValue = expected.ReadString(compact: false, nullable: true);

        var (value, position) = Read(bytes, previous);

        Assert.Equal(expectedValue, value);
        Assert.Equal(expected.Position, position);
        if (text is not null && text.Length > 0 && previous is not null && !Ascii.IsValid(text))
        {
            Assert.NotSame(previous, value);
        }
    }

    [Fact]
    public void A_length_beyond_the_message_is_still_rejected()
    {
        byte[] bytes = [0x00, 0x05, (byte)'a', (byte)'b'];

        var ex = Assert.Throws<ProtocolException>(() => Read(bytes, "abcde"));

        Assert.Equal(ProtocolErrorReason.LengthExceedsRemaining, ex.Reason);
    }

    [Fact]
    public void A_request_header_read_twice_keeps_its_client_id_instance()
    {
        static byte[] Encode(string clientId)
        {
            var header = new RequestHeader { ApiKey = 18, ApiVersion = 3, CorrelationId = 1, ClientId = clientId };
            var bytes = new byte[header.GetSize()];
            var writer = new ProtocolWriter(bytes);
            header.Write(ref writer);
            return bytes;
        }

        var reused = new RequestHeader();
        var first = new ProtocolReader(Encode("client-1"));
        reused.Read(ref first);
        var id = reused.ClientId;
        var second = new ProtocolReader(Encode("client-1"));
        reused.Read(ref second);

        Assert.Same(id, reused.ClientId);
        var third = new ProtocolReader(Encode("client-2"));
        reused.Read(ref third);
        Assert.Equal("client-2", reused.ClientId);
    }
}
