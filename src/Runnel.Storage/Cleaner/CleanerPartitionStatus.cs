using Runnel.Storage.Log;

namespace Runnel.Storage.Cleaner;

/// <summary>
/// What the cleaner knows of one compacted partition (Kafka exposes the same through its cleaner
/// metrics and <c>cleaner-offset-checkpoint</c>), for metrics and <c>runnel topics describe</c>.
/// </summary>
public sealed record CleanerPartitionStatus
{
    public required TopicPartition TopicPartition { get; init; }

    /// <summary>Everything below it is clean (the checkpoint, clamped to the log; Kafka's "last cleaned offset").</summary>
    public required long FirstDirtyOffset { get; init; }

    /// <summary>Where the cleanable section ends now (active segment, high watermark, <c>min.compaction.lag.ms</c>).</summary>
    public required long FirstUncleanableOffset { get; init; }

    /// <summary>Cleanable bytes over clean plus cleanable bytes, now.</summary>
    public required double DirtyRatio { get; init; }

    public required long CleanBytes { get; init; }

    public required long CleanableBytes { get; init; }

    /// <summary>When the last clean of this partition finished, or null (never since start-up).</summary>
    public DateTimeOffset? LastRun { get; init; }

    /// <summary>The last clean's figures, or null.</summary>
    public CleanerStats? LastStats { get; init; }

    /// <summary>Bytes the cleaner read from this partition since start-up.</summary>
    public long TotalBytesRead { get; init; }

    /// <summary>Bytes the cleaner wrote for this partition since start-up.</summary>
    public long TotalBytesWritten { get; init; }

    /// <summary>A clean failed (corrupt batch, unexpected error); the partition is skipped until restart (Kafka's uncleanable partitions).</summary>
    public bool Uncleanable { get; init; }

    /// <summary>A cleaner thread is working on the partition now.</summary>
    public bool InProgress { get; init; }
}
