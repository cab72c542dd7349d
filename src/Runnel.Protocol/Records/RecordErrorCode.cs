namespace Runnel.Protocol.Records;

/// <summary>
/// The Kafka error codes record validation can return, numerically as in Kafka's <c>Errors</c> enum.
/// Kept in one place so they can be swapped for the generated error table once it exists.
/// </summary>
internal static class RecordErrorCode
{
    public const short None = 0;

    /// <summary>CORRUPT_MESSAGE: CRC mismatch, impossible sizes, undecodable compressed data.</summary>
    public const short CorruptMessage = 2;

    /// <summary>MESSAGE_TOO_LARGE: the batch exceeds <c>max.message.bytes</c> (or inflates past the cap).</summary>
    public const short MessageTooLarge = 10;

    /// <summary>INVALID_TIMESTAMP: a record timestamp outside the allowed window, or a client-set LogAppendTime.</summary>
    public const short InvalidTimestamp = 32;

    /// <summary>UNSUPPORTED_COMPRESSION_TYPE: codec id 5–7, or zstd in Produce before v7.</summary>
    public const short UnsupportedCompressionType = 76;

    /// <summary>INVALID_RECORD: structure, offsets, magic, control batches, missing keys on compacted topics.</summary>
    public const short InvalidRecord = 87;
}
