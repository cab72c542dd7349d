namespace Runnel.Broker.Metadata;

/// <summary>
/// Kafka's text form of a UUID (<c>Uuid.toString</c>): the 16 big-endian bytes in URL-safe base64
/// without padding, 22 characters. Cluster ids and consumer-group member ids use it.
/// </summary>
public static class KafkaUuid
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>A new random id in Kafka's text form.</summary>
    public static string NewString() => ToString(Guid.NewGuid());

    /// <summary>
    /// <paramref name="id"/> in Kafka's text form. Encoded here rather than with the runtime's base64,
    /// whose vectorised encoder is compiled on first use (~3 ms of an embedded broker's first start).
    /// </summary>
    public static string ToString(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        Span<char> text = stackalloc char[22];
        int o = 0;
        for (int i = 0; i < 15; i += 3)
        {
            int triple = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
            text[o++] = Alphabet[(triple >> 18) & 63];
            text[o++] = Alphabet[(triple >> 12) & 63];
            text[o++] = Alphabet[(triple >> 6) & 63];
            text[o++] = Alphabet[triple & 63];
        }

        // The 16th byte: two characters, no padding.
        text[o++] = Alphabet[bytes[15] >> 2];
        text[o] = Alphabet[(bytes[15] & 3) << 4];
        return new string(text);
    }
}
