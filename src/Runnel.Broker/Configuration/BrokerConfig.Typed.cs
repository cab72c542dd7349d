namespace Runnel.Broker.Configuration;

// Typed accessors: what the broker's components read. Each is computed once per snapshot.
public sealed partial class BrokerConfig
{
    /// <summary>This node's id (<c>node.id</c>, or <c>broker.id</c> when only that is set).</summary>
    public int NodeId { get; private set; }

    /// <summary>Where to bind (<c>listeners</c>), each with its security protocol.</summary>
    public IReadOnlyList<ListenerEndpoint> Listeners { get; private set; } = [];

    /// <summary>
    /// What to tell clients (<c>advertised.listeners</c>, or <see cref="Listeners"/> when unset). An
    /// empty host or port 0 means "the host/port actually bound": the network layer fills them in.
    /// </summary>
    public IReadOnlyList<ListenerEndpoint> AdvertisedListeners { get; private set; } = [];

    /// <summary>The data directories (<c>log.dirs</c>, or <c>log.dir</c> when unset), in order, at least one.</summary>
    public IReadOnlyList<string> LogDirs { get; private set; } = [];

    /// <summary><c>runnel.cluster.id</c>, or null to use the id stored with the data (generated on first start).</summary>
    public string? ClusterId => GetString(BrokerConfigs.RunnelClusterId);

    /// <summary><c>num.partitions</c>.</summary>
    public int NumPartitions => GetInt(BrokerConfigs.NumPartitions);

    /// <summary><c>default.replication.factor</c>.</summary>
    public int DefaultReplicationFactor => GetInt(BrokerConfigs.DefaultReplicationFactor);

    /// <summary><c>auto.create.topics.enable</c>.</summary>
    public bool AutoCreateTopicsEnable => GetBoolean(BrokerConfigs.AutoCreateTopicsEnable);

    /// <summary><c>delete.topic.enable</c>.</summary>
    public bool DeleteTopicEnable => GetBoolean(BrokerConfigs.DeleteTopicEnable);

    /// <summary><c>message.max.bytes</c> (the broker-wide default of the topic's <c>max.message.bytes</c>).</summary>
    public int MessageMaxBytes => GetInt(BrokerConfigs.MessageMaxBytes);

    /// <summary><c>socket.request.max.bytes</c>: the largest request frame.</summary>
    public int SocketRequestMaxBytes => GetInt(BrokerConfigs.SocketRequestMaxBytes);

    /// <summary><c>socket.send.buffer.bytes</c>; -1 = OS default.</summary>
    public int SocketSendBufferBytes => GetInt(BrokerConfigs.SocketSendBufferBytes);

    /// <summary><c>socket.receive.buffer.bytes</c>; -1 = OS default.</summary>
    public int SocketReceiveBufferBytes => GetInt(BrokerConfigs.SocketReceiveBufferBytes);

    /// <summary><c>socket.listen.backlog.size</c>.</summary>
    public int SocketListenBacklogSize => GetInt(BrokerConfigs.SocketListenBacklogSize);

    /// <summary><c>max.connections</c>.</summary>
    public int MaxConnections => GetInt(BrokerConfigs.MaxConnections);

    /// <summary><c>max.connections.per.ip</c>.</summary>
    public int MaxConnectionsPerIp => GetInt(BrokerConfigs.MaxConnectionsPerIp);

    /// <summary><c>connections.max.idle.ms</c>.</summary>
    public long ConnectionsMaxIdleMs => GetLong(BrokerConfigs.ConnectionsMaxIdleMs);

    /// <summary><c>num.network.threads</c> (a sizing hint only).</summary>
    public int NumNetworkThreads => GetInt(BrokerConfigs.NumNetworkThreads);

    /// <summary><c>num.io.threads</c> (a sizing hint only).</summary>
    public int NumIoThreads => GetInt(BrokerConfigs.NumIoThreads);

    /// <summary><c>queued.max.requests</c>.</summary>
    public int QueuedMaxRequests => GetInt(BrokerConfigs.QueuedMaxRequests);

    /// <summary><c>fetch.max.bytes</c>.</summary>
    public int FetchMaxBytes => GetInt(BrokerConfigs.FetchMaxBytes);

    /// <summary><c>max.incremental.fetch.session.cache.slots</c>.</summary>
    public int MaxIncrementalFetchSessionCacheSlots => GetInt(BrokerConfigs.MaxIncrementalFetchSessionCacheSlots);

    /// <summary><c>num.recovery.threads.per.data.dir</c>.</summary>
    public int NumRecoveryThreadsPerDataDir => GetInt(BrokerConfigs.NumRecoveryThreadsPerDataDir);

    /// <summary><c>log.retention.check.interval.ms</c>.</summary>
    public long LogRetentionCheckIntervalMs => GetLong(BrokerConfigs.LogRetentionCheckIntervalMs);

    /// <summary><c>log.flush.scheduler.interval.ms</c>.</summary>
    public long LogFlushSchedulerIntervalMs => GetLong(BrokerConfigs.LogFlushSchedulerIntervalMs);

    /// <summary><c>log.flush.offset.checkpoint.interval.ms</c>.</summary>
    public int LogFlushOffsetCheckpointIntervalMs => GetInt(BrokerConfigs.LogFlushOffsetCheckpointIntervalMs);

    /// <summary><c>log.flush.start.offset.checkpoint.interval.ms</c>.</summary>
    public int LogFlushStartOffsetCheckpointIntervalMs => GetInt(BrokerConfigs.LogFlushStartOffsetCheckpointIntervalMs);

    /// <summary><c>log.cleaner.enable</c>.</summary>
    public bool LogCleanerEnable => GetBoolean(BrokerConfigs.LogCleanerEnable);

    /// <summary><c>log.cleaner.threads</c>.</summary>
    public int LogCleanerThreads => GetInt(BrokerConfigs.LogCleanerThreads);

    /// <summary><c>log.cleaner.backoff.ms</c>.</summary>
    public long LogCleanerBackoffMs => GetLong(BrokerConfigs.LogCleanerBackoffMs);

    /// <summary><c>log.cleaner.dedupe.buffer.size</c>.</summary>
    public long LogCleanerDedupeBufferSize => GetLong(BrokerConfigs.LogCleanerDedupeBufferSize);

    /// <summary><c>log.cleaner.io.buffer.size</c>.</summary>
    public int LogCleanerIoBufferSize => GetInt(BrokerConfigs.LogCleanerIoBufferSize);

    /// <summary><c>log.cleaner.io.buffer.load.factor</c>.</summary>
    public double LogCleanerIoBufferLoadFactor => GetDouble(BrokerConfigs.LogCleanerIoBufferLoadFactor);

    /// <summary><c>log.cleaner.io.max.bytes.per.second</c>.</summary>
    public double LogCleanerIoMaxBytesPerSecond => GetDouble(BrokerConfigs.LogCleanerIoMaxBytesPerSecond);

    /// <summary><c>offsets.topic.num.partitions</c>.</summary>
    public int OffsetsTopicNumPartitions => GetInt(BrokerConfigs.OffsetsTopicNumPartitions);

    /// <summary><c>offsets.topic.replication.factor</c>.</summary>
    public short OffsetsTopicReplicationFactor => GetShort(BrokerConfigs.OffsetsTopicReplicationFactor);

    /// <summary><c>offsets.topic.segment.bytes</c>.</summary>
    public int OffsetsTopicSegmentBytes => GetInt(BrokerConfigs.OffsetsTopicSegmentBytes);

    /// <summary><c>offsets.retention.minutes</c>.</summary>
    public int OffsetsRetentionMinutes => GetInt(BrokerConfigs.OffsetsRetentionMinutes);

    /// <summary><c>offsets.retention.check.interval.ms</c>.</summary>
    public long OffsetsRetentionCheckIntervalMs => GetLong(BrokerConfigs.OffsetsRetentionCheckIntervalMs);

    /// <summary><c>offset.metadata.max.bytes</c>.</summary>
    public int OffsetMetadataMaxBytes => GetInt(BrokerConfigs.OffsetMetadataMaxBytes);

    /// <summary><c>transaction.state.log.num.partitions</c>.</summary>
    public int TransactionStateLogNumPartitions => GetInt(BrokerConfigs.TransactionStateLogNumPartitions);

    /// <summary><c>transaction.state.log.replication.factor</c>.</summary>
    public short TransactionStateLogReplicationFactor => GetShort(BrokerConfigs.TransactionStateLogReplicationFactor);

    /// <summary><c>transaction.state.log.min.isr</c>.</summary>
    public int TransactionStateLogMinIsr => GetInt(BrokerConfigs.TransactionStateLogMinIsr);

    /// <summary><c>transaction.state.log.segment.bytes</c>.</summary>
    public int TransactionStateLogSegmentBytes => GetInt(BrokerConfigs.TransactionStateLogSegmentBytes);

    /// <summary><c>transaction.max.timeout.ms</c>.</summary>
    public int TransactionMaxTimeoutMs => GetInt(BrokerConfigs.TransactionMaxTimeoutMs);

    /// <summary><c>transactional.id.expiration.ms</c>.</summary>
    public int TransactionalIdExpirationMs => GetInt(BrokerConfigs.TransactionalIdExpirationMs);

    /// <summary><c>producer.id.expiration.ms</c>.</summary>
    public int TransactionAbortTimedOutTransactionCleanupIntervalMs => GetInt(BrokerConfigs.TransactionAbortTimedOutTransactionCleanupIntervalMs);

    public int TransactionRemoveExpiredTransactionCleanupIntervalMs => GetInt(BrokerConfigs.TransactionRemoveExpiredTransactionCleanupIntervalMs);

    public bool TransactionPartitionVerificationEnable => GetBoolean(BrokerConfigs.TransactionPartitionVerificationEnable);

    public int ProducerIdExpirationMs => GetInt(BrokerConfigs.ProducerIdExpirationMs);

    /// <summary><c>producer.id.expiration.check.interval.ms</c>.</summary>
    public int ProducerIdExpirationCheckIntervalMs => GetInt(BrokerConfigs.ProducerIdExpirationCheckIntervalMs);

    /// <summary><c>group.initial.rebalance.delay.ms</c>.</summary>
    public int GroupInitialRebalanceDelayMs => GetInt(BrokerConfigs.GroupInitialRebalanceDelayMs);

    /// <summary><c>group.min.session.timeout.ms</c>.</summary>
    public int GroupMinSessionTimeoutMs => GetInt(BrokerConfigs.GroupMinSessionTimeoutMs);

    /// <summary><c>group.max.session.timeout.ms</c>.</summary>
    public int GroupMaxSessionTimeoutMs => GetInt(BrokerConfigs.GroupMaxSessionTimeoutMs);

    /// <summary><c>group.max.size</c>.</summary>
    public int GroupMaxSize => GetInt(BrokerConfigs.GroupMaxSize);

    /// <summary><c>group.coordinator.rebalance.protocols</c> includes <c>consumer</c> (KIP-848).</summary>
    public bool ConsumerGroupProtocolEnabled => GetList(BrokerConfigs.GroupCoordinatorRebalanceProtocols).Contains("consumer");

    /// <summary><c>group.consumer.session.timeout.ms</c>.</summary>
    public int GroupConsumerSessionTimeoutMs => GetInt(BrokerConfigs.GroupConsumerSessionTimeoutMs);

    /// <summary><c>group.consumer.heartbeat.interval.ms</c>.</summary>
    public int GroupConsumerHeartbeatIntervalMs => GetInt(BrokerConfigs.GroupConsumerHeartbeatIntervalMs);

    /// <summary><c>group.consumer.max.size</c>.</summary>
    public int GroupConsumerMaxSize => GetInt(BrokerConfigs.GroupConsumerMaxSize);

    /// <summary><c>group.consumer.assignors</c>, in order (the first is the default).</summary>
    public IReadOnlyList<string> GroupConsumerAssignors => GetList(BrokerConfigs.GroupConsumerAssignors);

    /// <summary><c>runnel.log.flush.on.acks.all</c>: acks=-1 produce requests wait for the group-commit fsync (topics may override).</summary>
    public bool LogFlushOnAcksAll => GetBoolean(BrokerConfigs.RunnelLogFlushOnAcksAll);

    /// <summary>
    /// <c>runnel.metrics.listener</c>: where to serve <c>GET /metrics</c> (an <c>http://host:port/</c>
    /// address, port 0 for a free port), or null when it is empty and no metrics are served.
    /// </summary>
    public Uri? MetricsListener =>
        MetricsListenerAddress.TryParse(GetString(BrokerConfigs.RunnelMetricsListener) ?? string.Empty, out Uri? address) is null ? address : null;

    /// <summary>The topic configs a topic without overrides gets (the broker-wide log defaults).</summary>
    public ResolvedTopicConfig TopicDefaults => _topicDefaults ??= TopicConfigResolver.Resolve(this, s_noOverrides);

    private static readonly IReadOnlyDictionary<string, string> s_noOverrides = new Dictionary<string, string>();
    private ResolvedTopicConfig? _topicDefaults;

    /// <summary>The winning parsed value of <paramref name="name"/> (null when unset without default).</summary>
    public object? GetValue(string name) => Get(name).Value;

    /// <summary>An Int config's value; throws <see cref="InvalidOperationException"/> when it is unset.</summary>
    public int GetInt(string name) => (int)Required(name, ConfigType.Int);

    /// <summary>A Short config's value.</summary>
    public short GetShort(string name) => (short)Required(name, ConfigType.Short);

    /// <summary>A Long config's value.</summary>
    public long GetLong(string name) => (long)Required(name, ConfigType.Long);

    /// <summary>A Double config's value.</summary>
    public double GetDouble(string name) => (double)Required(name, ConfigType.Double);

    /// <summary>A Boolean config's value.</summary>
    public bool GetBoolean(string name) => (bool)Required(name, ConfigType.Boolean);

    /// <summary>A String config's value, or null when unset.</summary>
    public string? GetString(string name) => (string?)Typed(name, ConfigType.String);

    /// <summary>A List config's value (empty when unset).</summary>
    public IReadOnlyList<string> GetList(string name) => (IReadOnlyList<string>?)Typed(name, ConfigType.List) ?? [];

    /// <summary>A Password config's value, or null when unset.</summary>
    public ConfigPassword? GetPassword(string name) => (ConfigPassword?)Typed(name, ConfigType.Password);

    private object? Typed(string name, ConfigType type)
    {
        ConfigValue value = Get(name);
        if (value.Definition.Type != type)
        {
            throw new InvalidOperationException($"Config {name} is of type {value.Definition.Type}, not {type}.");
        }

        return value.Value;
    }

    private object Required(string name, ConfigType type) =>
        Typed(name, type) ?? throw new InvalidOperationException($"Config {name} has no value.");

    private void InitializeTyped()
    {
        NodeId = (int)(_effective[BrokerConfigs.NodeId].Value ?? 0);

        string? mapText = GetString(BrokerConfigs.ListenerSecurityProtocolMap);
        if (ListenerEndpoint.TryParseProtocolMap(mapText ?? string.Empty, out Dictionary<string, SecurityProtocol> protocolMap) is { } mapError)
        {
            AddCrossError(BrokerConfigs.ListenerSecurityProtocolMap, mapError);
        }

        Listeners = ParseListeners(BrokerConfigs.Listeners, requireDistinctPorts: true, protocolMap);
        if (Listeners.Count == 0)
        {
            AddCrossError(BrokerConfigs.Listeners, "At least one listener is required.");
        }

        if (GetString(BrokerConfigs.AdvertisedListeners) is null)
        {
            AdvertisedListeners = Listeners;
        }
        else
        {
            AdvertisedListeners = ParseListeners(BrokerConfigs.AdvertisedListeners, requireDistinctPorts: false, protocolMap);
            foreach (ListenerEndpoint advertised in AdvertisedListeners)
            {
                bool known = false;
                foreach (ListenerEndpoint listener in Listeners)
                {
                    known |= listener.Name == advertised.Name;
                }

                if (!known)
                {
                    AddCrossError(BrokerConfigs.AdvertisedListeners,
                        $"advertised.listeners listener names must be equal to or a subset of the ones defined in listeners; {advertised.Name} is not.");
                }
            }
        }

        // Kafka refuses to advertise the wildcard address (clients cannot connect to it).
        foreach (ListenerEndpoint advertised in AdvertisedListeners)
        {
            if (advertised.Host is "0.0.0.0" or "::")
            {
                AddCrossError(BrokerConfigs.AdvertisedListeners,
                    $"advertised.listeners cannot use the nonroutable meta-address {advertised.Host}. Use a routable IP address (set advertised.listeners when listeners binds {advertised.Host}).");
            }
        }

        string? logDirs = GetString(BrokerConfigs.LogDirs);
        LogDirs = ConfigDefinition.ParseList(logDirs ?? GetString(BrokerConfigs.LogDir) ?? string.Empty);
        if (LogDirs.Count == 0 || LogDirs.Contains(string.Empty))
        {
            AddCrossError(logDirs is null ? BrokerConfigs.LogDir : BrokerConfigs.LogDirs, "At least one log directory is required, and no entry may be empty.");
        }
        else if (LogDirs.Distinct(StringComparer.Ordinal).Count() != LogDirs.Count)
        {
            AddCrossError(BrokerConfigs.LogDirs, "Each log directory must be listed once.");
        }

        CheckConsumerGroupConfigs();

        CheckLogCleanerConfigs();

        long minLag = GetLong(BrokerConfigs.LogCleanerMinCompactionLagMs);
        long maxLag = GetLong(BrokerConfigs.LogCleanerMaxCompactionLagMs);
        if (minLag > maxLag)
        {
            AddCrossError(BrokerConfigs.LogCleanerMinCompactionLagMs,
                $"conflict config setting {BrokerConfigs.LogCleanerMinCompactionLagMs} ({minLag}) > {BrokerConfigs.LogCleanerMaxCompactionLagMs} ({maxLag})");
        }
    }

    /// <summary>The cleaner's key map must hold at least one key per thread, with a load factor in (0, 1].</summary>
    private void CheckLogCleanerConfigs()
    {
        double loadFactor = GetDouble(BrokerConfigs.LogCleanerIoBufferLoadFactor);
        if (loadFactor is <= 0 or > 1 || double.IsNaN(loadFactor))
        {
            AddCrossError(BrokerConfigs.LogCleanerIoBufferLoadFactor, $"{BrokerConfigs.LogCleanerIoBufferLoadFactor} must be in (0, 1], not {loadFactor}");
            return;
        }

        int threads = Math.Max(1, GetInt(BrokerConfigs.LogCleanerThreads));
        long perThread = GetLong(BrokerConfigs.LogCleanerDedupeBufferSize) / threads;
        if (perThread / Runnel.Storage.Cleaner.CleanerOptions.DedupeBytesPerKey * loadFactor < 1)
        {
            AddCrossError(BrokerConfigs.LogCleanerDedupeBufferSize,
                $"{BrokerConfigs.LogCleanerDedupeBufferSize} ({GetLong(BrokerConfigs.LogCleanerDedupeBufferSize)}) must hold at least one key per cleaner thread ({threads}) at load factor {loadFactor}");
        }
    }

    /// <summary>Kafka 4.0's <c>GroupCoordinatorConfig</c> requirements between the group keys.</summary>
    private void CheckConsumerGroupConfigs()
    {
        if (!GetList(BrokerConfigs.GroupCoordinatorRebalanceProtocols).Contains("classic"))
        {
            AddCrossError(BrokerConfigs.GroupCoordinatorRebalanceProtocols, "Disabling the 'classic' rebalance protocol is not supported.");
        }

        int heartbeat = GetInt(BrokerConfigs.GroupConsumerHeartbeatIntervalMs);
        int minHeartbeat = GetInt(BrokerConfigs.GroupConsumerMinHeartbeatIntervalMs);
        int maxHeartbeat = GetInt(BrokerConfigs.GroupConsumerMaxHeartbeatIntervalMs);
        int session = GetInt(BrokerConfigs.GroupConsumerSessionTimeoutMs);
        int minSession = GetInt(BrokerConfigs.GroupConsumerMinSessionTimeoutMs);
        int maxSession = GetInt(BrokerConfigs.GroupConsumerMaxSessionTimeoutMs);
        if (maxHeartbeat < minHeartbeat)
        {
            AddCrossError(BrokerConfigs.GroupConsumerMaxHeartbeatIntervalMs, $"{BrokerConfigs.GroupConsumerMaxHeartbeatIntervalMs} must be greater than or equal to {BrokerConfigs.GroupConsumerMinHeartbeatIntervalMs}");
        }

        if (heartbeat < minHeartbeat || heartbeat > maxHeartbeat)
        {
            AddCrossError(BrokerConfigs.GroupConsumerHeartbeatIntervalMs, $"{BrokerConfigs.GroupConsumerHeartbeatIntervalMs} must be between {BrokerConfigs.GroupConsumerMinHeartbeatIntervalMs} ({minHeartbeat}) and {BrokerConfigs.GroupConsumerMaxHeartbeatIntervalMs} ({maxHeartbeat})");
        }

        if (maxSession < minSession)
        {
            AddCrossError(BrokerConfigs.GroupConsumerMaxSessionTimeoutMs, $"{BrokerConfigs.GroupConsumerMaxSessionTimeoutMs} must be greater than or equal to {BrokerConfigs.GroupConsumerMinSessionTimeoutMs}");
        }

        if (session < minSession || session > maxSession)
        {
            AddCrossError(BrokerConfigs.GroupConsumerSessionTimeoutMs, $"{BrokerConfigs.GroupConsumerSessionTimeoutMs} must be between {BrokerConfigs.GroupConsumerMinSessionTimeoutMs} ({minSession}) and {BrokerConfigs.GroupConsumerMaxSessionTimeoutMs} ({maxSession})");
        }

        if (heartbeat >= session)
        {
            AddCrossError(BrokerConfigs.GroupConsumerHeartbeatIntervalMs, $"{BrokerConfigs.GroupConsumerHeartbeatIntervalMs} must be less than {BrokerConfigs.GroupConsumerSessionTimeoutMs}");
        }

        // The classic protocol's pair (Kafka: "group.max.session.timeout.ms must be greater than or
        // equal to group.min.session.timeout.ms").
        if (GetInt(BrokerConfigs.GroupMaxSessionTimeoutMs) < GetInt(BrokerConfigs.GroupMinSessionTimeoutMs))
        {
            AddCrossError(BrokerConfigs.GroupMaxSessionTimeoutMs, $"{BrokerConfigs.GroupMaxSessionTimeoutMs} must be greater than or equal to {BrokerConfigs.GroupMinSessionTimeoutMs}");
        }
    }

    private List<ListenerEndpoint> ParseListeners(string name, bool requireDistinctPorts, Dictionary<string, SecurityProtocol> protocolMap)
    {
        var result = new List<ListenerEndpoint>();
        if (ListenerEndpoint.TryParseList(GetString(name) ?? string.Empty, requireDistinctPorts, out var endpoints) is { } error)
        {
            AddCrossError(name, error);
            return result;
        }

        foreach ((string listenerName, string host, int port) in endpoints)
        {
            SecurityProtocol protocol = SecurityProtocol.Plaintext;
            if (protocolMap.TryGetValue(listenerName, out SecurityProtocol mapped))
            {
                protocol = mapped;
            }
            else if (!ListenerEndpoint.TryParseSecurityProtocol(listenerName, out protocol))
            {
                AddCrossError(name, $"No security protocol defined for listener {listenerName}: add it to {BrokerConfigs.ListenerSecurityProtocolMap}.");
            }

            // TLS and SASL will wrap connections later; until then a listener that promises them
            // must not quietly serve plaintext.
            if (protocol != SecurityProtocol.Plaintext && name == BrokerConfigs.Listeners)
            {
                AddCrossError(name, $"Listener {listenerName} uses {protocol}, which Runnel does not support yet; only PLAINTEXT listeners are served.");
            }

            result.Add(new ListenerEndpoint(listenerName, host, port, protocol));
        }

        return result;
    }

    private void AddCrossError(string name, string message) =>
        _crossErrors.Add(new ConfigError(name, ConfigErrorKind.InvalidValue, message, _effective[name].Origin));
}
