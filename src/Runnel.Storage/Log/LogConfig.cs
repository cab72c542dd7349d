namespace Runnel.Storage.Log;

/// <summary>
/// A partition log's settings, with Kafka's topic-level names and defaults (the broker maps
/// <c>segment.bytes</c> → <see cref="SegmentBytes"/> and so on, and validates values; this type does
/// not). Immutable: <see cref="PartitionLog.UpdateConfig"/> swaps the whole record.
/// </summary>
public sealed record LogConfig
{
    /// <summary>Kafka's defaults.</summary>
    public static LogConfig Default { get; } = new();

    /// <summary><c>segment.bytes</c>: roll the active segment before it would exceed this size (1 GiB).</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary><c>segment.ms</c>: roll after this long even when not full (7 days).</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>segment.jitter.ms</c>: a random amount up to this is subtracted from <see cref="SegmentMs"/> per segment (0).</summary>
    public long SegmentJitterMs { get; init; }

    /// <summary><c>segment.index.bytes</c>: the largest offset or time index file; a full index rolls the segment (10 MiB).</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary><c>index.interval.bytes</c>: bytes of batches between two index entries (4096).</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary><c>retention.ms</c>: delete segments whose newest timestamp is older than this; -1 = keep forever (7 days).</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>retention.bytes</c>: delete the oldest segments while the log is larger than this; -1 = no limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary><c>flush.messages</c>: fsync after this many unflushed records (Kafka's default: never, rely on replication and the page cache).</summary>
    public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary><c>flush.ms</c>: fsync when the last flush is older than this (default: never).</summary>
    public long FlushMs { get; init; } = long.MaxValue;

    /// <summary><c>file.delete.delay.ms</c>: how long a deleted segment's files stay (renamed <c>.deleted</c>) so in-flight reads finish (60 s).</summary>
    public long FileDeleteDelayMs { get; init; } = 60_000;

    /// <summary>
    /// <c>delete.retention.ms</c> (1 day): on a compacted topic, how long a tombstone stays after the
    /// cleaner first rewrote its batch (the batch's delete horizon, KIP-534), so consumers reading
    /// from the start see the delete.
    /// </summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary>
    /// <c>min.compaction.lag.ms</c> (0): a segment is cleanable only when its largest timestamp is at
    /// least this old, so consumers get this long to see every version.
    /// </summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary>
    /// <c>cleanup.policy</c> contains <c>compact</c>: the background cleaner keeps the latest record of
    /// every key (retention still applies when the policy is <c>compact,delete</c>; the broker sets
    /// <see cref="RetentionMs"/> and <see cref="RetentionBytes"/> to -1 for <c>compact</c> alone).
    /// </summary>
    public bool Compact { get; init; }

    /// <summary>
    /// <c>min.cleanable.dirty.ratio</c> (0.5): the cleaner picks a compacted log once its dirty bytes
    /// exceed this fraction of the log (ignoring the active segment).
    /// </summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>
    /// <c>max.compaction.lag.ms</c> (no limit): a record stays uncompacted at most this long; past it
    /// the log is cleaned whatever its dirty ratio, and the active segment rolls (Kafka's
    /// <c>maxSegmentMs</c>).
    /// </summary>
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary>
    /// Runnel's own setting (not Kafka's): acks=-1 produces wait for the group-commit fsync
    /// (<see cref="PartitionLog.WaitForFlushAsync"/>) before they are answered. The broker decides
    /// when to wait; the log only records the setting.
    /// </summary>
    public bool FlushOnAcks { get; init; }

    /// <summary>
    /// <c>preallocate</c>: the active segment's file is kept up to 2 MiB longer than its data, with
    /// zeros written ahead, so appends overwrite written blocks and an fsync need not commit the
    /// file-system journal (<see cref="LogSegment.PreallocateAheadBytes"/>). Trimmed at roll and close.
    /// </summary>
    public bool Preallocate { get; init; }
}
