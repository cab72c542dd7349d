namespace Runnel.Broker.Configuration;

/// <summary>
/// A topic's effective configuration as typed values: its overrides where set, otherwise the broker
/// synonyms' values, otherwise Kafka's defaults (see <see cref="TopicConfigResolver.Resolve"/>).
/// This is what the log, produce and fetch paths read; property names follow the topic config names.
/// Immutable; a change to the topic or the broker configuration produces a new instance.
/// </summary>
public sealed record ResolvedTopicConfig
{
    /// <summary><c>cleanup.policy</c> contains <c>delete</c>.</summary>
    public bool CleanupPolicyDelete { get; init; }

    /// <summary><c>cleanup.policy</c> contains <c>compact</c>.</summary>
    public bool CleanupPolicyCompact { get; init; }

    /// <summary><c>compression.type</c>.</summary>
    public BrokerCompressionType CompressionType { get; init; }

    /// <summary><c>compression.gzip.level</c>.</summary>
    public int CompressionGzipLevel { get; init; }

    /// <summary><c>compression.lz4.level</c>.</summary>
    public int CompressionLz4Level { get; init; }

    /// <summary><c>compression.zstd.level</c>.</summary>
    public int CompressionZstdLevel { get; init; }

    /// <summary><c>delete.retention.ms</c>.</summary>
    public long DeleteRetentionMs { get; init; }

    /// <summary><c>file.delete.delay.ms</c>.</summary>
    public long FileDeleteDelayMs { get; init; }

    /// <summary><c>flush.messages</c>.</summary>
    public long FlushMessages { get; init; }

    /// <summary><c>flush.ms</c>.</summary>
    public long FlushMs { get; init; }

    /// <summary><c>index.interval.bytes</c>.</summary>
    public int IndexIntervalBytes { get; init; }

    /// <summary><c>max.compaction.lag.ms</c>.</summary>
    public long MaxCompactionLagMs { get; init; }

    /// <summary><c>max.message.bytes</c>.</summary>
    public int MaxMessageBytes { get; init; }

    /// <summary><c>message.timestamp.after.max.ms</c>.</summary>
    public long MessageTimestampAfterMaxMs { get; init; }

    /// <summary><c>message.timestamp.before.max.ms</c>.</summary>
    public long MessageTimestampBeforeMaxMs { get; init; }

    /// <summary><c>message.timestamp.type</c>.</summary>
    public MessageTimestampType MessageTimestampType { get; init; }

    /// <summary><c>min.cleanable.dirty.ratio</c>.</summary>
    public double MinCleanableDirtyRatio { get; init; }

    /// <summary><c>min.compaction.lag.ms</c>.</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary><c>min.insync.replicas</c>.</summary>
    public int MinInSyncReplicas { get; init; }

    /// <summary><c>preallocate</c>.</summary>
    public bool Preallocate { get; init; }

    /// <summary><c>retention.bytes</c>; -1 = no limit.</summary>
    public long RetentionBytes { get; init; }

    /// <summary><c>retention.ms</c>; -1 = no limit.</summary>
    public long RetentionMs { get; init; }

    /// <summary><c>segment.bytes</c>.</summary>
    public int SegmentBytes { get; init; }

    /// <summary><c>segment.index.bytes</c>.</summary>
    public int SegmentIndexBytes { get; init; }

    /// <summary><c>segment.jitter.ms</c>.</summary>
    public long SegmentJitterMs { get; init; }

    /// <summary><c>segment.ms</c>.</summary>
    public long SegmentMs { get; init; }

    /// <summary><c>unclean.leader.election.enable</c>.</summary>
    public bool UncleanLeaderElectionEnable { get; init; }

    /// <summary><c>runnel.flush.on.acks.all</c>: acks=-1 produce requests wait for the group-commit fsync.</summary>
    public bool FlushOnAcksAll { get; init; }
}
