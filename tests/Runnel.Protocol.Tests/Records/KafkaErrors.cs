namespace Runnel.Protocol.Tests.Records;

/// <summary>
/// Kafka's numeric error codes, written out independently of the production constants so the tests
/// pin the wire values (org.apache.kafka.common.protocol.Errors).
/// </summary>
internal static class KafkaErrors
{
    public const short None = 0;
    public const short CorruptMessage = 2;
    public const short MessageTooLarge = 10;
    public const short InvalidTimestamp = 32;
    public const short UnsupportedCompressionType = 76;
    public const short InvalidRecord = 87;
}
