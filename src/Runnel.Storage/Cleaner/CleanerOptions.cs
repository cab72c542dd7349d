namespace Runnel.Storage.Cleaner;

/// <summary>
/// Settings of one <see cref="LogCleaner"/> (Kafka's broker-level <c>log.cleaner.*</c>; the topic-level
/// ones, <c>delete.retention.ms</c> and <c>min.compaction.lag.ms</c>, are in <see cref="Log.LogConfig"/>).
/// Defaults are Kafka's for one cleaner thread.
/// </summary>
public sealed record CleanerOptions
{
    public static CleanerOptions Default { get; } = new();

    /// <summary>Bytes of dedupe buffer one key takes (a 16-byte hash and an 8-byte offset).</summary>
    public const int DedupeBytesPerKey = OffsetMap.SlotSize;

    /// <summary>
    /// <c>log.cleaner.dedupe.buffer.size</c> (128 MiB, Kafka's total over all cleaner threads; with one
    /// thread it is all one map): the byte budget of the <see cref="OffsetMap"/>, 24 bytes per key slot.
    /// </summary>
    public long DedupeBufferSize { get; init; } = 128L * 1024 * 1024;

    /// <summary><c>log.cleaner.io.buffer.load.factor</c> (0.9): the fraction of map slots that may be filled.</summary>
    public double DedupeBufferLoadFactor { get; init; } = 0.9;

    /// <summary>
    /// <c>log.cleaner.io.buffer.size</c> (512 KiB): bytes read from a segment at a time (a larger batch
    /// is read whole, as Kafka grows its buffer up to <c>message.max.bytes</c>).
    /// </summary>
    public int IoBufferSize { get; init; } = 512 * 1024;

    /// <summary>Largest decompressed record section accepted from a stored batch (guards against corrupt lengths).</summary>
    public int MaxDecompressedBatchBytes { get; init; } = 256 * 1024 * 1024;

    /// <summary>
    /// <c>log.cleaner.io.max.bytes.per.second</c>: called with the bytes read and written so it can block
    /// to keep the cleaner under a rate. Null: unthrottled (Kafka's default is unlimited).
    /// </summary>
    public ICleanerThrottle? Throttle { get; init; }

    /// <summary><c>log.cleaner.threads</c> (1): cleaner threads of a <see cref="LogCleanerService"/>; the dedupe buffer is split between them.</summary>
    public int Threads { get; init; } = 1;

    /// <summary><c>log.cleaner.backoff.ms</c> (15 s): how long a cleaner thread sleeps when no log needs cleaning.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(15);
}
