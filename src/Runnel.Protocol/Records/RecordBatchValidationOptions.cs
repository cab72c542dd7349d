namespace Runnel.Protocol.Records;

/// <summary>
/// What <see cref="RecordBatchValidator"/> needs to know about the topic, the request and the clock.
/// A struct so a per-request copy costs nothing; build one per partition append from the topic's
/// configuration. Defaults are Kafka 4.0's topic defaults. Note that <c>default(...)</c> is not the
/// same as <c>new()</c>: it has a zero <see cref="MaxMessageBytes"/>, which rejects every batch.
/// </summary>
public readonly record struct RecordBatchValidationOptions
{
    /// <summary>Kafka's <c>max.message.bytes</c> default: 1 MiB plus the 12-byte log overhead.</summary>
    public const int DefaultMaxMessageBytes = 1_048_588;

    /// <summary>Kafka 4.0's <c>message.timestamp.after.max.ms</c> default, one hour (KIP-1030).</summary>
    public const long DefaultTimestampAfterMaxMs = 3_600_000;

    /// <summary>Default cap on one batch's decompressed record section: 64 MiB.</summary>
    public const int DefaultMaxDecompressedBytes = 64 * 1024 * 1024;

    public RecordBatchValidationOptions()
    {
    }

    /// <summary><c>max.message.bytes</c>: the largest batch (header included) the topic accepts.</summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary><c>cleanup.policy</c> contains <c>compact</c>: every record needs a key.</summary>
    public bool IsCompacted { get; init; }

    /// <summary><c>message.timestamp.type</c>.</summary>
    public TimestampType TimestampType { get; init; } = TimestampType.CreateTime;

    /// <summary><c>message.timestamp.before.max.ms</c>: how far in the past a CreateTime timestamp may be.</summary>
    public long TimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary><c>message.timestamp.after.max.ms</c>: how far in the future a CreateTime timestamp may be.</summary>
    public long TimestampAfterMaxMs { get; init; } = DefaultTimestampAfterMaxMs;

    /// <summary>The broker's current time in Unix milliseconds (from its <c>TimeProvider</c>).</summary>
    public long NowMs { get; init; }

    /// <summary>
    /// Cap on a compressed batch's decompressed record section. Kafka has none; Runnel needs one so a
    /// small batch cannot inflate without bound. Exceeding it returns MESSAGE_TOO_LARGE, on which the
    /// Java producer splits the batch and retries.
    /// </summary>
    public int MaxDecompressedBytes { get; init; } = DefaultMaxDecompressedBytes;

    /// <summary>
    /// Version of the Produce request carrying the records; zstd needs v7 or later (KIP-110).
    /// Defaults to "newest" so internal appends are not restricted.
    /// </summary>
    public short ProduceVersion { get; init; } = short.MaxValue;

    /// <summary>Who is appending; client appends get the producer-facing checks.</summary>
    public AppendOrigin Origin { get; init; } = AppendOrigin.Client;
}
