using System.Text.RegularExpressions;

namespace Runnel.Broker.Configuration;

/// <summary>
/// The broker scope's registry: every key <c>server.properties</c>, <c>RUNNEL_*</c> environment
/// variables and <c>--override</c> accept, with Kafka 4.0's names, types, defaults, bounds and
/// update modes (Kafka's <c>KafkaConfig</c> / <c>ServerLogConfigs</c> / <c>DynamicBrokerConfig</c>).
/// A default differs from Kafka's only where an entry's comment says why. Keys Kafka has but Runnel
/// does not act on yet are left out on purpose, so a setting that would be silently ignored fails
/// at startup instead; keys Runnel accepts only as sizing hints say so in their documentation.
/// </summary>
public static partial class BrokerConfigs
{
    public const string NodeId = "node.id";
    public const string BrokerId = "broker.id";
    public const string Listeners = "listeners";
    public const string AdvertisedListeners = "advertised.listeners";
    public const string ListenerSecurityProtocolMap = "listener.security.protocol.map";
    public const string LogDirs = "log.dirs";
    public const string LogDir = "log.dir";
    public const string NumPartitions = "num.partitions";
    public const string DefaultReplicationFactor = "default.replication.factor";
    public const string AutoCreateTopicsEnable = "auto.create.topics.enable";
    public const string DeleteTopicEnable = "delete.topic.enable";
    public const string LogSegmentBytes = "log.segment.bytes";
    public const string LogRollMs = "log.roll.ms";
    public const string LogRollHours = "log.roll.hours";
    public const string LogRollJitterMs = "log.roll.jitter.ms";
    public const string LogRollJitterHours = "log.roll.jitter.hours";
    public const string LogRetentionMs = "log.retention.ms";
    public const string LogRetentionMinutes = "log.retention.minutes";
    public const string LogRetentionHours = "log.retention.hours";
    public const string LogRetentionBytes = "log.retention.bytes";
    public const string LogRetentionCheckIntervalMs = "log.retention.check.interval.ms";
    public const string LogCleanupPolicy = "log.cleanup.policy";
    public const string LogIndexIntervalBytes = "log.index.interval.bytes";
    public const string LogIndexSizeMaxBytes = "log.index.size.max.bytes";
    public const string LogFlushIntervalMessages = "log.flush.interval.messages";
    public const string LogFlushIntervalMs = "log.flush.interval.ms";
    public const string LogFlushSchedulerIntervalMs = "log.flush.scheduler.interval.ms";
    public const string LogFlushOffsetCheckpointIntervalMs = "log.flush.offset.checkpoint.interval.ms";
    public const string LogFlushStartOffsetCheckpointIntervalMs = "log.flush.start.offset.checkpoint.interval.ms";
    public const string LogSegmentDeleteDelayMs = "log.segment.delete.delay.ms";
    public const string LogPreallocate = "log.preallocate";
    public const string LogMessageTimestampType = "log.message.timestamp.type";
    public const string LogMessageTimestampBeforeMaxMs = "log.message.timestamp.before.max.ms";
    public const string LogMessageTimestampAfterMaxMs = "log.message.timestamp.after.max.ms";
    public const string LogLocalRetentionMs = "log.local.retention.ms";
    public const string LogLocalRetentionBytes = "log.local.retention.bytes";
    public const string LogCleanerEnable = "log.cleaner.enable";
    public const string LogCleanerThreads = "log.cleaner.threads";
    public const string LogCleanerBackoffMs = "log.cleaner.backoff.ms";
    public const string LogCleanerDedupeBufferSize = "log.cleaner.dedupe.buffer.size";
    public const string LogCleanerIoBufferSize = "log.cleaner.io.buffer.size";
    public const string LogCleanerIoBufferLoadFactor = "log.cleaner.io.buffer.load.factor";
    public const string LogCleanerIoMaxBytesPerSecond = "log.cleaner.io.max.bytes.per.second";
    public const string LogCleanerDeleteRetentionMs = "log.cleaner.delete.retention.ms";
    public const string LogCleanerMinCompactionLagMs = "log.cleaner.min.compaction.lag.ms";
    public const string LogCleanerMaxCompactionLagMs = "log.cleaner.max.compaction.lag.ms";
    public const string LogCleanerMinCleanableRatio = "log.cleaner.min.cleanable.ratio";
    public const string NumRecoveryThreadsPerDataDir = "num.recovery.threads.per.data.dir";
    public const string MessageMaxBytes = "message.max.bytes";
    public const string CompressionType = "compression.type";
    public const string CompressionGzipLevel = "compression.gzip.level";
    public const string CompressionLz4Level = "compression.lz4.level";
    public const string CompressionZstdLevel = "compression.zstd.level";
    public const string MinInSyncReplicas = "min.insync.replicas";
    public const string UncleanLeaderElectionEnable = "unclean.leader.election.enable";
    public const string SocketRequestMaxBytes = "socket.request.max.bytes";
    public const string SocketSendBufferBytes = "socket.send.buffer.bytes";
    public const string SocketReceiveBufferBytes = "socket.receive.buffer.bytes";
    public const string SocketListenBacklogSize = "socket.listen.backlog.size";
    public const string MaxConnections = "max.connections";
    public const string MaxConnectionsPerIp = "max.connections.per.ip";
    public const string ConnectionsMaxIdleMs = "connections.max.idle.ms";
    public const string NumNetworkThreads = "num.network.threads";
    public const string NumIoThreads = "num.io.threads";
    public const string QueuedMaxRequests = "queued.max.requests";
    public const string FetchMaxBytes = "fetch.max.bytes";
    public const string MaxIncrementalFetchSessionCacheSlots = "max.incremental.fetch.session.cache.slots";
    public const string OffsetsTopicNumPartitions = "offsets.topic.num.partitions";
    public const string OffsetsTopicReplicationFactor = "offsets.topic.replication.factor";
    public const string OffsetsTopicSegmentBytes = "offsets.topic.segment.bytes";
    public const string OffsetsRetentionMinutes = "offsets.retention.minutes";
    public const string OffsetsRetentionCheckIntervalMs = "offsets.retention.check.interval.ms";
    public const string OffsetMetadataMaxBytes = "offset.metadata.max.bytes";
    public const string TransactionStateLogNumPartitions = "transaction.state.log.num.partitions";
    public const string TransactionStateLogReplicationFactor = "transaction.state.log.replication.factor";
    public const string TransactionStateLogMinIsr = "transaction.state.log.min.isr";
    public const string TransactionStateLogSegmentBytes = "transaction.state.log.segment.bytes";
    public const string TransactionMaxTimeoutMs = "transaction.max.timeout.ms";
    public const string TransactionalIdExpirationMs = "transactional.id.expiration.ms";
    public const string TransactionAbortTimedOutTransactionCleanupIntervalMs = "transaction.abort.timed.out.transaction.cleanup.interval.ms";
    public const string TransactionRemoveExpiredTransactionCleanupIntervalMs = "transaction.remove.expired.transaction.cleanup.interval.ms";
    public const string TransactionPartitionVerificationEnable = "transaction.partition.verification.enable";
    public const string ProducerIdExpirationMs = "producer.id.expiration.ms";
    public const string ProducerIdExpirationCheckIntervalMs = "producer.id.expiration.check.interval.ms";
    public const string GroupInitialRebalanceDelayMs = "group.initial.rebalance.delay.ms";
    public const string GroupMinSessionTimeoutMs = "group.min.session.timeout.ms";
    public const string GroupMaxSessionTimeoutMs = "group.max.session.timeout.ms";
    public const string GroupMaxSize = "group.max.size";
    public const string GroupCoordinatorRebalanceProtocols = "group.coordinator.rebalance.protocols";
    public const string GroupConsumerSessionTimeoutMs = "group.consumer.session.timeout.ms";
    public const string GroupConsumerMinSessionTimeoutMs = "group.consumer.min.session.timeout.ms";
    public const string GroupConsumerMaxSessionTimeoutMs = "group.consumer.max.session.timeout.ms";
    public const string GroupConsumerHeartbeatIntervalMs = "group.consumer.heartbeat.interval.ms";
    public const string GroupConsumerMinHeartbeatIntervalMs = "group.consumer.min.heartbeat.interval.ms";
    public const string GroupConsumerMaxHeartbeatIntervalMs = "group.consumer.max.heartbeat.interval.ms";
    public const string GroupConsumerMaxSize = "group.consumer.max.size";
    public const string GroupConsumerAssignors = "group.consumer.assignors";

    /// <summary>Runnel-specific: the cluster id (Kafka keeps it in <c>meta.properties</c>, written by <c>kafka-storage format</c>).</summary>
    public const string RunnelClusterId = "runnel.cluster.id";

    /// <summary>Runnel-specific: acks=-1 produce requests wait for the group-commit fsync.</summary>
    public const string RunnelLogFlushOnAcksAll = "runnel.log.flush.on.acks.all";

    /// <summary>Runnel-specific: the <c>http://host:port</c> address serving the broker's metrics to Prometheus.</summary>
    public const string RunnelMetricsListener = "runnel.metrics.listener";

    /// <summary>The broker registry.</summary>
    public static ConfigRegistry Registry { get; } = new("broker", CreateDefinitions());

    // Kafka's ZSTD level bounds: ZSTD_minCLevel() = -(1 << 17) up to 22.
    private const long ZstdMinLevel = -131_072;

    [GeneratedRegex("^[A-Za-z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ClusterIdPattern();

    private static ConfigValidator ListenersValidator(bool requireDistinctPorts) => ConfigValidator.Predicate(
        value => ListenerEndpoint.TryParseList((string)value, requireDistinctPorts, out _),
        "comma-separated NAME://host:port");

    private static IEnumerable<ConfigDefinition> CreateDefinitions()
    {
        const DynamicUpdateMode PerBroker = DynamicUpdateMode.PerBroker;
        const DynamicUpdateMode ClusterWide = DynamicUpdateMode.ClusterWide;
        const ConfigImportance High = ConfigImportance.High;
        const ConfigImportance Medium = ConfigImportance.Medium;
        const ConfigImportance Low = ConfigImportance.Low;

        // ----- Identity and listeners -----

        // Kafka 4.0 has no default and refuses to start without node.id. A single-node broker that
        // starts with no arguments needs one, so Runnel defaults to 1 (the id Kafka's own
        // quickstart server.properties uses).
        yield return new(NodeId, ConfigType.Int, 1, "The id of this node in the cluster; broker.id is accepted as a synonym and must agree when both are set.")
        { Validator = ConfigValidator.AtLeast(0), Importance = High, RunnelDefaultReason = "Kafka has no default and requires node.id; a single node needs none to be given." };
        yield return new(BrokerId, ConfigType.Int, null, "Older name for node.id; when only this is set it becomes the node id.")
        { Validator = ConfigValidator.AtLeast(0), Importance = High };

        // Kafka's default is PLAINTEXT://:9092 (every interface). Runnel is local-first: with no
        // configuration it listens on the loopback interface only, so starting a development broker
        // never exposes an unauthenticated port to the network. Set 0.0.0.0 (and
        // advertised.listeners) to serve other machines.
        yield return new(Listeners, ConfigType.String, "PLAINTEXT://127.0.0.1:9092", "Comma-separated NAME://host:port addresses the broker binds; an empty host means every interface and port 0 picks a free port.")
        {
            Validator = ListenersValidator(requireDistinctPorts: true),
            Importance = High,
            Dynamic = PerBroker,
            RunnelDefaultReason = "Kafka binds every interface (PLAINTEXT://:9092); Runnel is local-first and binds loopback only unless told otherwise.",
        };
        yield return new(AdvertisedListeners, ConfigType.String, null, "Addresses given to clients in metadata responses when they differ from listeners (for example behind NAT); unset means the listeners themselves.")
        { Validator = ListenersValidator(requireDistinctPorts: false), Importance = High };
        yield return new(ListenerSecurityProtocolMap, ConfigType.String, "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", "Maps each listener name to its security protocol as NAME:PROTOCOL pairs; Runnel serves PLAINTEXT only for now.")
        {
            Validator = ConfigValidator.Predicate(value => ListenerEndpoint.TryParseProtocolMap((string)value, out _), "comma-separated LISTENER_NAME:SECURITY_PROTOCOL"),
            Importance = Low,
            Dynamic = PerBroker,
        };

        // Kafka keeps its cluster id in meta.properties, written by `kafka-storage format`, and has
        // no broker config for it. Runnel has no format step: the broker generates an id on first
        // start and stores it with the data. This optional key pins it (handy for tests and for
        // recreating a data directory); a stored id that differs is a startup error.
        yield return new(RunnelClusterId, ConfigType.String, null, "Runnel-specific: the cluster id to use; unset means the one stored in the data directory, or a new random id on first start.")
        {
            Validator = ConfigValidator.Predicate(value => ClusterIdPattern().IsMatch((string)value) ? null : "A cluster id is a non-empty string of letters, digits, '-' and '_'", "letters, digits, '-' and '_'"),
            Importance = Medium,
        };

        // Runnel-specific. Kafka publishes its metrics over JMX and leaves HTTP to an agent (the
        // Prometheus JMX exporter); Runnel serves GET /metrics itself. Empty (the default) serves
        // nothing, so a broker opens no port nobody asked for; port 0 picks a free port, which
        // BrokerHost.MetricsEndpoint reports and the start-up log prints.
        yield return new(RunnelMetricsListener, ConfigType.String, string.Empty, "Runnel-specific: http://host:port on which GET /metrics serves the broker's metrics in Prometheus text format; empty serves none, port 0 picks a free port.")
        {
            Validator = ConfigValidator.Predicate(value => MetricsListenerAddress.TryParse((string)value, out _), "empty, or http://host:port"),
            Importance = Low,
        };

        // ----- Log directories and topic creation -----

        // Kafka defaults log.dir to /tmp/kafka-logs. Runnel defaults to ./data: a relative path
        // keeps a development broker's data next to where it was started (and out of /tmp, which
        // some systems wipe on reboot), matching `runnel broker` with no arguments.
        yield return new(LogDir, ConfigType.String, "./data", "The directory holding the log data when log.dirs is not set.")
        { Importance = High, RunnelDefaultReason = "Kafka uses /tmp/kafka-logs; Runnel keeps data next to where the broker was started, out of a directory the OS may wipe." };
        yield return new(LogDirs, ConfigType.String, null, "Comma-separated directories holding the log data; unset means log.dir.")
        { Importance = High };
        yield return new(NumPartitions, ConfigType.Int, 1, "Partition count for topics created without one, including auto-created topics.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(DefaultReplicationFactor, ConfigType.Int, 1, "Replication factor for auto-created topics and for CreateTopics requests that pass -1.")
        { Importance = Medium };
        yield return new(AutoCreateTopicsEnable, ConfigType.Boolean, true, "Whether a Metadata request for a missing topic may create it.")
        { Importance = High };
        yield return new(DeleteTopicEnable, ConfigType.Boolean, true, "Whether DeleteTopics requests are served; when false they fail.")
        { Importance = High };

        // ----- Segments, retention and flushing (defaults for the topic configs) -----

        // Kafka 4.0 (KIP-1030) raised the broker-level minimum to 1 MiB; the topic-level
        // segment.bytes keeps its minimum of 14 bytes (a v0 record's overhead).
        yield return new(LogSegmentBytes, ConfigType.Int, 1024 * 1024 * 1024, "Default size at which a partition rolls to a new segment file.")
        { Validator = ConfigValidator.AtLeast(1024 * 1024), Importance = High, Dynamic = ClusterWide };
        yield return new(LogRollMs, ConfigType.Long, null, "Default age in milliseconds after which the active segment is rolled even if not full; unset means log.roll.hours.")
        { Importance = High, Dynamic = ClusterWide };
        yield return new(LogRollHours, ConfigType.Int, 168, "Default segment age in hours before a roll, used when log.roll.ms is not set.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };
        yield return new(LogRollJitterMs, ConfigType.Long, null, "Default maximum random time in milliseconds taken off each segment's roll deadline; unset means log.roll.jitter.hours.")
        { Importance = High, Dynamic = ClusterWide };
        yield return new(LogRollJitterHours, ConfigType.Int, 0, "Default roll jitter in hours, used when log.roll.jitter.ms is not set.")
        { Validator = ConfigValidator.AtLeast(0), Importance = High };
        yield return new(LogRetentionMs, ConfigType.Long, null, "Default time in milliseconds a segment is kept before deletion, -1 for no limit; unset means log.retention.minutes.")
        { Importance = High, Dynamic = ClusterWide };
        yield return new(LogRetentionMinutes, ConfigType.Int, null, "Default retention in minutes, used when log.retention.ms is not set; unset means log.retention.hours.")
        { Importance = High };
        yield return new(LogRetentionHours, ConfigType.Int, 168, "Default retention in hours, used when neither log.retention.ms nor log.retention.minutes is set.")
        { Importance = High };
        yield return new(LogRetentionBytes, ConfigType.Long, -1L, "Default largest size a partition may reach before its oldest segments are deleted, -1 for no limit.")
        { Importance = High, Dynamic = ClusterWide };
        yield return new(LogRetentionCheckIntervalMs, ConfigType.Long, 300_000L, "How often, in milliseconds, the broker looks for segments that retention should delete.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(LogCleanupPolicy, ConfigType.List, new[] { "delete" }, "Default cleanup policy: delete old segments, compact by key, or both.")
        { Validator = ConfigValidator.ListOf("compact", "delete"), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogIndexIntervalBytes, ConfigType.Int, 4096, "Default number of log bytes between two entries of the sparse offset and time indexes.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogIndexSizeMaxBytes, ConfigType.Int, 10 * 1024 * 1024, "Default largest size of a segment's index file; a full index rolls the segment.")
        { Validator = ConfigValidator.AtLeast(4), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogFlushIntervalMessages, ConfigType.Long, long.MaxValue, "Default number of records appended to a partition before it is fsynced.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High, Dynamic = ClusterWide };
        yield return new(LogFlushIntervalMs, ConfigType.Long, null, "Default longest time in milliseconds appended records stay unflushed; unset means log.flush.scheduler.interval.ms.")
        { Importance = High, Dynamic = ClusterWide };
        yield return new(LogFlushSchedulerIntervalMs, ConfigType.Long, long.MaxValue, "How often, in milliseconds, the broker checks whether a log is due for a time-based flush.")
        { Importance = High };
        yield return new(LogFlushOffsetCheckpointIntervalMs, ConfigType.Int, 60_000, "How often, in milliseconds, the recovery-point checkpoint (the last flushed offset per partition) is written.")
        { Validator = ConfigValidator.AtLeast(0), Importance = High };
        yield return new(LogFlushStartOffsetCheckpointIntervalMs, ConfigType.Int, 60_000, "How often, in milliseconds, the log-start-offset checkpoint is written.")
        { Validator = ConfigValidator.AtLeast(0), Importance = High };
        yield return new(LogSegmentDeleteDelayMs, ConfigType.Long, 60_000L, "Default time in milliseconds a deleted segment's files linger so reads in progress can finish.")
        { Validator = ConfigValidator.AtLeast(0), Importance = High, Dynamic = ClusterWide };
        yield return new(LogPreallocate, ConfigType.Boolean, false, "Default for keeping the active segment file ahead of its data with written zeros (topic config preallocate).")
        { Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogMessageTimestampType, ConfigType.String, "CreateTime", "Default record timestamp: the producer's CreateTime or the broker's LogAppendTime.")
        { Validator = ConfigValidator.In("CreateTime", "LogAppendTime"), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogMessageTimestampBeforeMaxMs, ConfigType.Long, long.MaxValue, "Default limit on how far, in milliseconds, a CreateTime timestamp may lie in the past.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogMessageTimestampAfterMaxMs, ConfigType.Long, 3_600_000L, "Default limit on how far, in milliseconds, a CreateTime timestamp may lie in the future (one hour since Kafka 4.0).")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogLocalRetentionMs, ConfigType.Long, -2L, "Default local retention for tiered topics, -2 for the retention.ms value; tiered storage is not supported yet.")
        { Validator = ConfigValidator.AtLeast(-2), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogLocalRetentionBytes, ConfigType.Long, -2L, "Default local size limit for tiered topics, -2 for the retention.bytes value; tiered storage is not supported yet.")
        { Validator = ConfigValidator.AtLeast(-2), Importance = Medium, Dynamic = ClusterWide };
        yield return new(NumRecoveryThreadsPerDataDir, ConfigType.Int, 2, "Sizing hint: threads per data directory for recovery at startup and flushing at shutdown.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High, Dynamic = ClusterWide };

        // ----- Log cleaner (compaction) -----
        yield return new(LogCleanerEnable, ConfigType.Boolean, true, "Whether the log cleaner runs; without it compacted topics grow without bound.")
        { Importance = Medium };
        yield return new(LogCleanerThreads, ConfigType.Int, 1, "Number of background threads compacting logs.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogCleanerBackoffMs, ConfigType.Long, 15_000L, "How long, in milliseconds, the cleaner sleeps when no log needs cleaning.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogCleanerDedupeBufferSize, ConfigType.Long, 134_217_728L, "Memory, in bytes, shared by all cleaner threads for the key-to-offset map.")
        { Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogCleanerIoBufferSize, ConfigType.Int, 524_288, "Memory, in bytes, shared by all cleaner threads for read and write buffers.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogCleanerIoBufferLoadFactor, ConfigType.Double, 0.9, "How full the cleaner's key map may get before a pass stops; higher cleans more per pass with more collisions.")
        { Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogCleanerIoMaxBytesPerSecond, ConfigType.Double, double.MaxValue, "Throttle on the cleaner's combined read and write rate, in bytes per second.")
        { Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogCleanerDeleteRetentionMs, ConfigType.Long, 86_400_000L, "Default time in milliseconds tombstones survive in compacted topics.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogCleanerMinCompactionLagMs, ConfigType.Long, 0L, "Default minimum age in milliseconds before a record may be compacted away.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogCleanerMaxCompactionLagMs, ConfigType.Long, long.MaxValue, "Default maximum age in milliseconds a record may stay uncompacted.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium, Dynamic = ClusterWide };
        yield return new(LogCleanerMinCleanableRatio, ConfigType.Double, 0.5, "Default share of a log that must be uncompacted before the cleaner takes it on.")
        { Validator = ConfigValidator.Between(0.0, 1.0), Importance = Medium, Dynamic = ClusterWide };

        // ----- Records -----
        yield return new(MessageMaxBytes, ConfigType.Int, 1_048_588, "Default largest record batch, in bytes after compression, a produce request may append.")
        { Validator = ConfigValidator.AtLeast(0), Importance = High, Dynamic = ClusterWide };
        yield return new(CompressionType, ConfigType.String, "producer", "Default compression of stored batches: producer keeps what the producer sent, otherwise uncompressed, gzip, snappy, lz4 or zstd.")
        { Validator = ConfigValidator.In("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"), Importance = High, Dynamic = ClusterWide };
        yield return new(CompressionGzipLevel, ConfigType.Int, -1, "Default gzip level when the broker recompresses with gzip, -1 for the codec's default.")
        {
            Validator = ConfigValidator.Predicate(value => (int)value is -1 or (>= 1 and <= 9) ? null : "Value must be between 1 and 9, or -1", "[1,...,9] or -1"),
            Importance = Medium,
            Dynamic = ClusterWide,
        };
        yield return new(CompressionLz4Level, ConfigType.Int, 9, "Default lz4 level when the broker recompresses with lz4.")
        { Validator = ConfigValidator.Between(1, 17), Importance = Medium, Dynamic = ClusterWide };
        yield return new(CompressionZstdLevel, ConfigType.Int, 3, "Default zstd level when the broker recompresses with zstd.")
        { Validator = ConfigValidator.Between(ZstdMinLevel, 22), Importance = Medium, Dynamic = ClusterWide };
        yield return new(MinInSyncReplicas, ConfigType.Int, 1, "Default number of in-sync replicas an acks=-1 write needs; a single node has one.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High, Dynamic = ClusterWide };
        yield return new(UncleanLeaderElectionEnable, ConfigType.Boolean, false, "Default for letting an out-of-sync replica become leader at the risk of losing data; no effect on a single node.")
        { Importance = High, Dynamic = ClusterWide };

        // Runnel-specific durability switch. Kafka acknowledges acks=-1 once the record is in the
        // page cache of every in-sync replica; on a single node that survives a process crash but
        // not power loss. When true, acks=-1 produce requests are answered only after an fsync that
        // covers them (one group-commit fsync serves every batch appended before it, across
        // producers). acks=0 and acks=1 never wait. Topics may override it with
        // runnel.flush.on.acks.all.
        yield return new(RunnelLogFlushOnAcksAll, ConfigType.Boolean, false, "Runnel-specific: when true, acks=-1 produce requests are answered only after a group-commit fsync covers their records.")
        { Importance = High, Dynamic = ClusterWide };

        // ----- Network and request limits -----
        yield return new(SocketRequestMaxBytes, ConfigType.Int, 104_857_600, "Largest request frame, in bytes, accepted before the connection is closed; checked before buffering.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };
        yield return new(SocketSendBufferBytes, ConfigType.Int, 102_400, "SO_SNDBUF of client connections, -1 for the OS default.")
        { Importance = High };
        yield return new(SocketReceiveBufferBytes, ConfigType.Int, 102_400, "SO_RCVBUF of client connections, -1 for the OS default.")
        { Importance = High };
        yield return new(SocketListenBacklogSize, ConfigType.Int, 50, "Length of the listening socket's queue of connections not yet accepted.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(MaxConnections, ConfigType.Int, int.MaxValue, "Most client connections the broker keeps open at once; further ones are closed on accept.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(MaxConnectionsPerIp, ConfigType.Int, int.MaxValue, "Most client connections from one IP address.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium, Dynamic = ClusterWide };
        yield return new(ConnectionsMaxIdleMs, ConfigType.Long, 600_000L, "A connection that sends no request for this many milliseconds is closed.")
        { Importance = Medium };
        yield return new(NumNetworkThreads, ConfigType.Int, 3, "Sizing hint accepted for compatibility: Runnel's connections are asynchronous and use no dedicated network threads.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High, Dynamic = ClusterWide };
        yield return new(NumIoThreads, ConfigType.Int, 8, "Sizing hint accepted for compatibility: Runnel handles requests on the shared thread pool rather than a fixed I/O pool.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High, Dynamic = ClusterWide };
        yield return new(QueuedMaxRequests, ConfigType.Int, 500, "Most requests that may wait for a handler before the broker stops reading from connections.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };
        yield return new(FetchMaxBytes, ConfigType.Int, 57_671_680, "Largest total response a fetch request may ask for; larger requested limits are lowered to it.")
        { Validator = ConfigValidator.AtLeast(1024), Importance = Medium };
        yield return new(MaxIncrementalFetchSessionCacheSlots, ConfigType.Int, 1000, "Most incremental fetch sessions (KIP-227) the broker keeps.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium };

        // ----- Internal topics, groups and transactions -----
        yield return new(OffsetsTopicNumPartitions, ConfigType.Int, 50, "Partition count of __consumer_offsets; do not change it after the topic exists.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };

        // Kafka's default is 3, which a single-node broker cannot satisfy (creating the topic would
        // fail). Runnel defaults to 1, as Kafka's single-node quickstart configuration does.
        yield return new(OffsetsTopicReplicationFactor, ConfigType.Short, (short)1, "Replication factor of __consumer_offsets.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High, RunnelDefaultReason = "Kafka's 3 cannot be met by a single node." };
        yield return new(OffsetsTopicSegmentBytes, ConfigType.Int, 104_857_600, "Segment size of __consumer_offsets, kept small so compaction and loading stay quick.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };
        yield return new(OffsetsRetentionMinutes, ConfigType.Int, 10_080, "How long, in minutes, committed offsets of an empty group (or an unsubscribed topic) are kept.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };
        yield return new(OffsetsRetentionCheckIntervalMs, ConfigType.Long, 600_000L, "How often, in milliseconds, expired committed offsets are looked for.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };
        yield return new(OffsetMetadataMaxBytes, ConfigType.Int, 4096, "Largest metadata string a client may attach to a committed offset.")
        { Importance = High };
        yield return new(TransactionStateLogNumPartitions, ConfigType.Int, 50, "Partition count of __transaction_state; do not change it after the topic exists.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };

        // Kafka's default is 3 (and min.isr 2); a single node cannot satisfy either, so Runnel
        // defaults both to 1 like Kafka's single-node quickstart configuration.
        yield return new(TransactionStateLogReplicationFactor, ConfigType.Short, (short)1, "Replication factor of __transaction_state.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High, RunnelDefaultReason = "Kafka's 3 cannot be met by a single node." };
        yield return new(TransactionStateLogMinIsr, ConfigType.Int, 1, "min.insync.replicas of __transaction_state.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High, RunnelDefaultReason = "Kafka's 2 cannot be met by a single node." };
        yield return new(TransactionStateLogSegmentBytes, ConfigType.Int, 104_857_600, "Segment size of __transaction_state, kept small so compaction and loading stay quick.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };
        yield return new(TransactionMaxTimeoutMs, ConfigType.Int, 900_000, "Longest transaction timeout a producer may ask for in InitProducerId.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };
        yield return new(TransactionalIdExpirationMs, ConfigType.Int, 604_800_000, "How long, in milliseconds, an idle transactional id is remembered.")
        { Validator = ConfigValidator.AtLeast(1), Importance = High };
        yield return new(TransactionAbortTimedOutTransactionCleanupIntervalMs, ConfigType.Int, 10_000, "How often, in milliseconds, transactions open longer than their timeout are aborted.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Low };
        yield return new(TransactionRemoveExpiredTransactionCleanupIntervalMs, ConfigType.Int, 3_600_000, "How often, in milliseconds, transactional ids idle longer than transactional.id.expiration.ms are removed.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Low };
        yield return new(TransactionPartitionVerificationEnable, ConfigType.Boolean, true, "Verify with the transaction coordinator that a partition is part of the producer's transaction before appending its first transactional batch (KIP-890), so no hanging transaction can hold the last stable offset.")
        { Importance = Low, Dynamic = ClusterWide };
        yield return new(ProducerIdExpirationMs, ConfigType.Int, 86_400_000, "How long, in milliseconds, a partition remembers an idle producer id for idempotence.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Low, Dynamic = ClusterWide };
        yield return new(ProducerIdExpirationCheckIntervalMs, ConfigType.Int, 600_000, "How often, in milliseconds, partitions forget producer ids idle longer than producer.id.expiration.ms.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Low };
        yield return new(GroupInitialRebalanceDelayMs, ConfigType.Int, 3000, "How long, in milliseconds, a new classic group waits for more members before its first rebalance.")
        { Validator = ConfigValidator.AtLeast(0), Importance = Medium };
        yield return new(GroupMinSessionTimeoutMs, ConfigType.Int, 6000, "Shortest session timeout a classic group member may ask for.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(GroupMaxSessionTimeoutMs, ConfigType.Int, 1_800_000, "Longest session timeout a classic group member may ask for.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(GroupMaxSize, ConfigType.Int, int.MaxValue, "Most members one classic consumer group may have.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };

        // KIP-848 (the consumer group protocol). Kafka 4.0's GroupCoordinatorConfig; the cross-key
        // rules (min <= value <= max, heartbeat < session) are checked in BrokerConfig.
        yield return new(GroupCoordinatorRebalanceProtocols, ConfigType.List, new[] { "classic", "consumer" }, "Enabled rebalance protocols; without consumer the broker does not offer ConsumerGroupHeartbeat or ConsumerGroupDescribe. classic cannot be disabled.")
        { Validator = ConfigValidator.ListOf("classic", "consumer"), Importance = Medium };
        yield return new(GroupConsumerSessionTimeoutMs, ConfigType.Int, 45_000, "How long, in milliseconds, a consumer-protocol member may go without heartbeating before it is removed.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(GroupConsumerMinSessionTimeoutMs, ConfigType.Int, 45_000, "Smallest session timeout allowed for consumer-protocol groups.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(GroupConsumerMaxSessionTimeoutMs, ConfigType.Int, 60_000, "Largest session timeout allowed for consumer-protocol groups.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(GroupConsumerHeartbeatIntervalMs, ConfigType.Int, 5000, "Heartbeat interval, in milliseconds, given to consumer-protocol members.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(GroupConsumerMinHeartbeatIntervalMs, ConfigType.Int, 5000, "Smallest heartbeat interval allowed for consumer-protocol groups.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(GroupConsumerMaxHeartbeatIntervalMs, ConfigType.Int, 15_000, "Largest heartbeat interval allowed for consumer-protocol groups.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(GroupConsumerMaxSize, ConfigType.Int, int.MaxValue, "Most members one consumer-protocol group may have.")
        { Validator = ConfigValidator.AtLeast(1), Importance = Medium };
        yield return new(GroupConsumerAssignors, ConfigType.List, new[] { "uniform", "range" }, "Server-side assignors for consumer-protocol groups, by name (uniform, range) or Kafka class name; the first is used when a member names none.")
        {
            Validator = ConfigValidator.Predicate(
                value => ((IReadOnlyList<string>)value) is { Count: > 0 } names && names.All(n => Groups.Consumer.ConsumerGroupAssignors.TryGet(n, out _))
                    ? null
                    : "must list one or more of uniform, range (or their Kafka class names)",
                "[uniform, range]"),
            Importance = Medium,
        };
    }
}
