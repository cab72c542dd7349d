using System.Text.RegularExpressions;

namespace Runnel.Broker.Configuration;

/// <summary>
/// The topic scope's registry: every topic-level config Kafka 4.0 has (Kafka's <c>LogConfig</c> and
/// <c>TopicConfig</c>), with its type, validator, Kafka's static default and the broker configs
/// that supply the effective default (<c>ServerTopicConfigSynonyms</c>), plus one Runnel-specific
/// key. Kafka 4.0 removed <c>message.format.version</c>, <c>message.timestamp.difference.max.ms</c>
/// and <c>message.downconversion.enable</c>; they are unknown here too.
/// <see cref="TopicConfigResolver"/> turns a topic's overrides plus the broker configuration into
/// effective values.
/// </summary>
public static partial class TopicConfigs
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string CompressionGzipLevel = "compression.gzip.level";
    public const string CompressionLz4Level = "compression.lz4.level";
    public const string CompressionType = "compression.type";
    public const string CompressionZstdLevel = "compression.zstd.level";
    public const string DeleteRetentionMs = "delete.retention.ms";
    public const string FileDeleteDelayMs = "file.delete.delay.ms";
    public const string FlushMessages = "flush.messages";
    public const string FlushMs = "flush.ms";
    public const string FollowerReplicationThrottledReplicas = "follower.replication.throttled.replicas";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string LeaderReplicationThrottledReplicas = "leader.replication.throttled.replicas";
    public const string LocalRetentionBytes = "local.retention.bytes";
    public const string LocalRetentionMs = "local.retention.ms";
    public const string MaxCompactionLagMs = "max.compaction.lag.ms";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string MessageTimestampAfterMaxMs = "message.timestamp.after.max.ms";
    public const string MessageTimestampBeforeMaxMs = "message.timestamp.before.max.ms";
    public const string MessageTimestampType = "message.timestamp.type";
    public const string MinCleanableDirtyRatio = "min.cleanable.dirty.ratio";
    public const string MinCompactionLagMs = "min.compaction.lag.ms";
    public const string MinInSyncReplicas = "min.insync.replicas";
    public const string Preallocate = "preallocate";
    public const string RemoteLogCopyDisable = "remote.log.copy.disable";
    public const string RemoteLogDeleteOnDisable = "remote.log.delete.on.disable";
    public const string RemoteStorageEnable = "remote.storage.enable";
    public const string RetentionBytes = "retention.bytes";
    public const string RetentionMs = "retention.ms";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentIndexBytes = "segment.index.bytes";
    public const string SegmentJitterMs = "segment.jitter.ms";
    public const string SegmentMs = "segment.ms";
    public const string UncleanLeaderElectionEnable = "unclean.leader.election.enable";

    /// <summary>Runnel-specific: per-topic form of <c>runnel.log.flush.on.acks.all</c>.</summary>
    public const string RunnelFlushOnAcksAll = "runnel.flush.on.acks.all";

    /// <summary>The topic registry.</summary>
    public static ConfigRegistry Registry { get; } = new("topic", CreateDefinitions());

    // Kafka's ThrottledReplicaListValidator: "*" or partitionId:brokerId pairs.
    [GeneratedRegex("^([0-9]+:[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ThrottledReplicaPattern();

    private static ConfigValidator ThrottledReplicasValidator(string name) => ConfigValidator.Predicate(
        value =>
        {
            var list = (IReadOnlyList<string>)value;
            if (list.Count == 1 && list[0] == "*")
            {
                return null;
            }

            foreach (string element in list)
            {
                if (!ThrottledReplicaPattern().IsMatch(element))
                {
                    return $"{name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...";
                }
            }

            return null;
        },
        "[partitionId]:[brokerId],[partitionId]:[brokerId],... or *");

    private static BrokerSynonym[] Synonyms(params string[] names)
    {
        var synonyms = new BrokerSynonym[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            synonyms[i] = new BrokerSynonym(names[i]);
        }

        return synonyms;
    }

    private static IEnumerable<ConfigDefinition> CreateDefinitions()
    {
        const long SevenDaysMs = 7L * 24 * 60 * 60 * 1000;

        yield return new(CleanupPolicy, ConfigType.List, new[] { "delete" }, "What happens to old segments: delete removes them by age or size, compact keeps the latest record per key, and both may be combined.")
        { Validator = ConfigValidator.ListOf("compact", "delete"), BrokerSynonyms = Synonyms(BrokerConfigs.LogCleanupPolicy) };
        yield return new(CompressionGzipLevel, ConfigType.Int, -1, "Gzip level used when compression.type is gzip, -1 for the codec's default.")
        {
            Validator = ConfigValidator.Predicate(value => (int)value is -1 or (>= 1 and <= 9) ? null : "Value must be between 1 and 9, or -1", "[1,...,9] or -1"),
            BrokerSynonyms = Synonyms(BrokerConfigs.CompressionGzipLevel),
        };
        yield return new(CompressionLz4Level, ConfigType.Int, 9, "Lz4 level used when compression.type is lz4.")
        { Validator = ConfigValidator.Between(1, 17), BrokerSynonyms = Synonyms(BrokerConfigs.CompressionLz4Level) };
        yield return new(CompressionType, ConfigType.String, "producer", "Compression of the stored batches: producer keeps the producer's codec, otherwise uncompressed, gzip, snappy, lz4 or zstd.")
        { Validator = ConfigValidator.In("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"), BrokerSynonyms = Synonyms(BrokerConfigs.CompressionType) };
        yield return new(CompressionZstdLevel, ConfigType.Int, 3, "Zstd level used when compression.type is zstd.")
        { Validator = ConfigValidator.Between(-131_072, 22), BrokerSynonyms = Synonyms(BrokerConfigs.CompressionZstdLevel) };
        yield return new(DeleteRetentionMs, ConfigType.Long, 86_400_000L, "How long, in milliseconds, tombstones stay readable in a compacted topic, bounding how long a full read from the start may take.")
        { Validator = ConfigValidator.AtLeast(0), BrokerSynonyms = Synonyms(BrokerConfigs.LogCleanerDeleteRetentionMs) };
        yield return new(FileDeleteDelayMs, ConfigType.Long, 60_000L, "How long, in milliseconds, a deleted segment's files remain before they are removed from disk.")
        { Validator = ConfigValidator.AtLeast(0), BrokerSynonyms = Synonyms(BrokerConfigs.LogSegmentDeleteDelayMs) };
        yield return new(FlushMessages, ConfigType.Long, long.MaxValue, "Fsync the partition after this many appended records; the default leaves flushing to the operating system.")
        { Validator = ConfigValidator.AtLeast(1), BrokerSynonyms = Synonyms(BrokerConfigs.LogFlushIntervalMessages) };
        yield return new(FlushMs, ConfigType.Long, long.MaxValue, "Fsync the partition when its oldest unflushed record is this many milliseconds old; the default leaves flushing to the operating system.")
        { Validator = ConfigValidator.AtLeast(0), BrokerSynonyms = Synonyms(BrokerConfigs.LogFlushIntervalMs, BrokerConfigs.LogFlushSchedulerIntervalMs) };
        yield return new(FollowerReplicationThrottledReplicas, ConfigType.List, Array.Empty<string>(), "Replicas, as partitionId:brokerId pairs or *, whose follower-side replication is throttled; stored for compatibility, no effect on a single node.")
        { Validator = ThrottledReplicasValidator(FollowerReplicationThrottledReplicas) };
        yield return new(IndexIntervalBytes, ConfigType.Int, 4096, "Number of log bytes between two entries of the sparse offset and time indexes.")
        { Validator = ConfigValidator.AtLeast(0), BrokerSynonyms = Synonyms(BrokerConfigs.LogIndexIntervalBytes) };
        yield return new(LeaderReplicationThrottledReplicas, ConfigType.List, Array.Empty<string>(), "Replicas, as partitionId:brokerId pairs or *, whose leader-side replication is throttled; stored for compatibility, no effect on a single node.")
        { Validator = ThrottledReplicasValidator(LeaderReplicationThrottledReplicas) };
        yield return new(LocalRetentionBytes, ConfigType.Long, -2L, "Local size limit of a tiered topic, -2 for the retention.bytes value; tiered storage is not supported yet.")
        { Validator = ConfigValidator.AtLeast(-2), BrokerSynonyms = Synonyms(BrokerConfigs.LogLocalRetentionBytes) };
        yield return new(LocalRetentionMs, ConfigType.Long, -2L, "Local retention of a tiered topic, -2 for the retention.ms value; tiered storage is not supported yet.")
        { Validator = ConfigValidator.AtLeast(-2), BrokerSynonyms = Synonyms(BrokerConfigs.LogLocalRetentionMs) };
        yield return new(MaxCompactionLagMs, ConfigType.Long, long.MaxValue, "Longest time, in milliseconds, a record may stay uncompacted in a compacted topic.")
        { Validator = ConfigValidator.AtLeast(1), BrokerSynonyms = Synonyms(BrokerConfigs.LogCleanerMaxCompactionLagMs) };
        yield return new(MaxMessageBytes, ConfigType.Int, 1_048_588, "Largest record batch, in bytes after compression, a produce request may append to this topic.")
        { Validator = ConfigValidator.AtLeast(0), BrokerSynonyms = Synonyms(BrokerConfigs.MessageMaxBytes) };
        yield return new(MessageTimestampAfterMaxMs, ConfigType.Long, 3_600_000L, "With CreateTime, batches whose timestamp is more than this many milliseconds ahead of the broker's clock are rejected.")
        { Validator = ConfigValidator.AtLeast(0), BrokerSynonyms = Synonyms(BrokerConfigs.LogMessageTimestampAfterMaxMs) };
        yield return new(MessageTimestampBeforeMaxMs, ConfigType.Long, long.MaxValue, "With CreateTime, batches whose timestamp is more than this many milliseconds behind the broker's clock are rejected.")
        { Validator = ConfigValidator.AtLeast(0), BrokerSynonyms = Synonyms(BrokerConfigs.LogMessageTimestampBeforeMaxMs) };
        yield return new(MessageTimestampType, ConfigType.String, "CreateTime", "Which timestamp records keep: the producer's CreateTime or the broker's LogAppendTime.")
        { Validator = ConfigValidator.In("CreateTime", "LogAppendTime"), BrokerSynonyms = Synonyms(BrokerConfigs.LogMessageTimestampType) };
        yield return new(MinCleanableDirtyRatio, ConfigType.Double, 0.5, "Share of a compacted log that must be uncompacted before the cleaner takes it on.")
        { Validator = ConfigValidator.Between(0.0, 1.0), BrokerSynonyms = Synonyms(BrokerConfigs.LogCleanerMinCleanableRatio) };
        yield return new(MinCompactionLagMs, ConfigType.Long, 0L, "Shortest time, in milliseconds, a record stays uncompacted in a compacted topic.")
        { Validator = ConfigValidator.AtLeast(0), BrokerSynonyms = Synonyms(BrokerConfigs.LogCleanerMinCompactionLagMs) };
        yield return new(MinInSyncReplicas, ConfigType.Int, 1, "Number of in-sync replicas an acks=-1 write needs before it succeeds.")
        { Validator = ConfigValidator.AtLeast(1), BrokerSynonyms = Synonyms(BrokerConfigs.MinInSyncReplicas) };
        yield return new(Preallocate, ConfigType.Boolean, false, "Whether the active segment file is kept ahead of its data: Runnel writes zeros up to 2 MiB past the end (not the whole segment, as Kafka's sparse file), so fsyncs of appends need no file-system journal commit; trimmed at roll and close.")
        { BrokerSynonyms = Synonyms(BrokerConfigs.LogPreallocate) };
        yield return new(RemoteLogCopyDisable, ConfigType.Boolean, false, "Whether a tiered topic stops uploading segments; tiered storage is not supported yet.");
        yield return new(RemoteLogDeleteOnDisable, ConfigType.Boolean, false, "Whether tiered data is deleted when tiered storage is turned off for the topic; tiered storage is not supported yet.");
        yield return new(RemoteStorageEnable, ConfigType.Boolean, false, "Whether the topic uses tiered storage; Runnel rejects true because it has no tiered storage yet.");
        yield return new(RetentionBytes, ConfigType.Long, -1L, "Largest size, in bytes, a partition may reach before its oldest segments are deleted, -1 for no limit.")
        { BrokerSynonyms = Synonyms(BrokerConfigs.LogRetentionBytes) };
        yield return new(RetentionMs, ConfigType.Long, SevenDaysMs, "How long, in milliseconds, a segment is kept before deletion, -1 for no limit.")
        {
            Validator = ConfigValidator.AtLeast(-1),
            BrokerSynonyms =
            [
                new(BrokerConfigs.LogRetentionMs),
                new(BrokerConfigs.LogRetentionMinutes, SynonymConversion.MinutesToMilliseconds),
                new(BrokerConfigs.LogRetentionHours, SynonymConversion.HoursToMilliseconds),
            ],
        };
        yield return new(SegmentBytes, ConfigType.Int, 1024 * 1024 * 1024, "Size, in bytes, at which the partition rolls to a new segment file.")
        { Validator = ConfigValidator.AtLeast(14), BrokerSynonyms = Synonyms(BrokerConfigs.LogSegmentBytes) };
        yield return new(SegmentIndexBytes, ConfigType.Int, 10 * 1024 * 1024, "Largest size, in bytes, of a segment's offset or time index; a full index rolls the segment.")
        { Validator = ConfigValidator.AtLeast(4), BrokerSynonyms = Synonyms(BrokerConfigs.LogIndexSizeMaxBytes) };
        yield return new(SegmentJitterMs, ConfigType.Long, 0L, "Largest random time, in milliseconds, taken off each segment's roll deadline so partitions do not roll together.")
        {
            Validator = ConfigValidator.AtLeast(0),
            BrokerSynonyms = [new(BrokerConfigs.LogRollJitterMs), new(BrokerConfigs.LogRollJitterHours, SynonymConversion.HoursToMilliseconds)],
        };
        yield return new(SegmentMs, ConfigType.Long, SevenDaysMs, "Age, in milliseconds, after which the active segment is rolled even if not full, so retention can act on it.")
        {
            Validator = ConfigValidator.AtLeast(1),
            BrokerSynonyms = [new(BrokerConfigs.LogRollMs), new(BrokerConfigs.LogRollHours, SynonymConversion.HoursToMilliseconds)],
        };
        yield return new(UncleanLeaderElectionEnable, ConfigType.Boolean, false, "Whether an out-of-sync replica may become leader at the risk of losing data; no effect on a single node.")
        { BrokerSynonyms = Synonyms(BrokerConfigs.UncleanLeaderElectionEnable) };

        // Runnel-specific per-topic form of runnel.log.flush.on.acks.all (see BrokerConfigs).
        yield return new(RunnelFlushOnAcksAll, ConfigType.Boolean, false, "Runnel-specific: when true, acks=-1 produce requests to this topic are answered only after a group-commit fsync covers their records.")
        { BrokerSynonyms = Synonyms(BrokerConfigs.RunnelLogFlushOnAcksAll) };
    }
}
