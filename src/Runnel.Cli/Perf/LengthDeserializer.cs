using Confluent.Kafka;

namespace Runnel.Cli.Perf;

/// <summary>Reads a key or value as its length in bytes (0 for null), without copying it.</summary>
internal sealed class LengthDeserializer : IDeserializer<int>
{
    public static readonly LengthDeserializer Instance = new();

    public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? 0 : data.Length;
}
