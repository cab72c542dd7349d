using Confluent.Kafka;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Perf;

public class LengthDeserializerTests
{
    [Fact]
    public void A_key_or_value_reads_as_its_length_and_null_as_zero()
    {
        SerializationContext context = new(MessageComponentType.Value, "t");

        Assert.Equal(1024, LengthDeserializer.Instance.Deserialize(new byte[1024], isNull: false, context));
        Assert.Equal(0, LengthDeserializer.Instance.Deserialize([], isNull: false, context));
        Assert.Equal(0, LengthDeserializer.Instance.Deserialize(ReadOnlySpan<byte>.Empty, isNull: true, context));
    }
}
