using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Broker.Configuration;
using Runnel.Broker.Fetch;
using Runnel.Broker.Groups;
using Runnel.Broker.Handlers;
using Runnel.Broker.Handlers.Admin;
using Runnel.Broker.Handlers.Groups;
using Runnel.Broker.Handlers.Transactions;
using Runnel.Broker.Metadata;
using Runnel.Broker.Metrics;
using Runnel.Broker.Network;
using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.Broker;

/// <summary>
/// The broker: storage, metadata, request handlers and listeners, started and stopped as one.
/// The CLI (<c>runnel broker</c>), the embedded <see cref="RunnelBroker"/>, tests and benchmarks
/// all start this class. Start order: log directories (recovery), metadata, partitions,
/// handlers, the metrics endpoint when <c>runnel.metrics.listener</c> is set, then listeners last
/// so no request arrives before the broker can serve it; stop runs the other way and ends with a
/// clean-shutdown marker so the next start skips recovery.
/// </summary>
public sealed class BrokerHost : IAsyncDisposable
{
    /// <summary>The meter every broker metric is published on.</summary>
    public const string MeterName = "Runnel.Broker";

    private readonly ILogger _logger;
    private readonly LogManager _logs;
    private readonly List<SocketListener> _listeners = new();
    private readonly Meter _meter;
    private GroupCoordinator? _groupCoordinator;
    private TransactionCoordinator? _transactionCoordinator;
    private MetricsServer? _metricsServer;
    private int _stopped;

    private BrokerHost(BrokerConfig config, LogManager logs, MetadataStore metadata, TopicService topics, PartitionRegistry partitions, HandlerRegistry handlers, Meter meter, BrokerNetworkMetrics networkMetrics, ILoggerFactory loggers)
    {
        Config = config;
        _logs = logs;
        Metadata = metadata;
        Topics = topics;
        Partitions = partitions;
        Handlers = handlers;
        _meter = meter;
        NetworkMetrics = networkMetrics;
        _logger = loggers.CreateLogger<BrokerHost>();
    }

    public BrokerConfig Config { get; }

    public MetadataStore Metadata { get; }

    public TopicService Topics { get; }

    public PartitionRegistry Partitions { get; }

    public HandlerRegistry Handlers { get; }

    public BrokerNetworkMetrics NetworkMetrics { get; }

    /// <summary>True once the group coordinator has replayed <c>__consumer_offsets</c> and serves groups.</summary>
    public bool IsGroupCoordinatorLoaded => _groupCoordinator?.IsLoaded ?? false;

    /// <summary>The log manager (for tests that look at logs and the cleaner directly).</summary>
    internal LogManager Logs => _logs;

    /// <summary>The group coordinator (for tests that look at it directly).</summary>
    internal GroupCoordinator GroupCoordinator => _groupCoordinator ?? throw new InvalidOperationException("The broker has no group coordinator.");

    internal TransactionCoordinator TransactionCoordinator => _transactionCoordinator ?? throw new InvalidOperationException("The broker has no transaction coordinator.");

    /// <summary>True once the transaction coordinator has loaded <c>__transaction_state</c>.</summary>
    public bool IsTransactionCoordinatorLoaded => _transactionCoordinator?.IsLoaded ?? false;

    /// <summary>
    /// The Prometheus scrape URL (<c>http://host:port/metrics</c>, port 0 in <c>runnel.metrics.listener</c>
    /// resolved to the bound port), or null when the broker serves no metrics.
    /// </summary>
    public Uri? MetricsEndpoint => _metricsServer?.Endpoint;

    /// <summary>The listeners as bound (port 0 in the config is resolved to the real port here).</summary>
    public IReadOnlyList<ListenerInfo> Listeners
    {
        get
        {
            // A loop, not LINQ: the embedded broker reads this on its first start, where every
            // generic method used for the first time costs a JIT compilation.
            var infos = new ListenerInfo[_listeners.Count];
            for (int i = 0; i < infos.Length; i++)
            {
                infos[i] = _listeners[i].Info;
            }

            return infos;
        }
    }

    /// <summary>Starts a broker. Throws <see cref="ConfigException"/> or an I/O error when it cannot.</summary>
    public static async Task<BrokerHost> StartAsync(BrokerConfig config, ILoggerFactory? loggers = null, TimeProvider? time = null, IFileSystem? fileSystem = null, CancellationToken cancellationToken = default)
    {
        loggers ??= NullLoggerFactory.Instance;
        time ??= TimeProvider.System;
        fileSystem ??= new PhysicalFileSystem();
        var logger = loggers.CreateLogger<BrokerHost>();

        // The metadata file and the logs are independent until the topics load: open them side by
        // side: each brings its own first-use costs, and a first start overlaps them (~10 ms).
        var metadataOpen = Task.Run(() => MetadataStore.Open(fileSystem, config.LogDirs[0], config.ClusterId), CancellationToken.None);
        LogManager logs;
        try
        {
            logs = await LogManager.OpenAsync(config.LogDirs, new LogManagerOptions
            {
                RetentionCheckInterval = Interval(config.LogRetentionCheckIntervalMs),
                FlushSchedulerInterval = Interval(config.LogFlushSchedulerIntervalMs),
                CheckpointInterval = Interval(config.LogFlushOffsetCheckpointIntervalMs),
                ProducerIdExpirationCheckInterval = Interval(config.ProducerIdExpirationCheckIntervalMs),
                ProducerIdExpiration = TimeSpan.FromMilliseconds(config.ProducerIdExpirationMs),
                DefaultLogConfig = TopicRuntimeConfigFactory.Create(config, EmptyOverrides).Log,
                Cleaner = CleanerOptionsFactory.Create(config, time),
            }, fileSystem, time, loggers, cancellationToken);
        }
        catch
        {
            // The metadata open writes in the same directory: let it finish before the error goes up
            // (its own failure, if any, is secondary to this one).
            await ((Task)metadataOpen).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        GroupCoordinator? groupCoordinator = null;
        TransactionCoordinator? transactionCoordinator = null;
        MetricsServer? metricsServer = null;
        try
        {
            var metadata = await metadataOpen;
            var partitions = new PartitionRegistry();
            // Dynamic broker config changes (AlterConfigs on BROKER) live in this overlay; topic
            // defaults are resolved from its current value so a change reaches every log.
            var dynamicConfig = new DynamicBrokerConfig(config);
            var topics = new TopicService(metadata, partitions, logs, overrides => TopicRuntimeConfigFactory.Create(dynamicConfig.Current, overrides), loggers);
            dynamicConfig.Changed += (_, _) => topics.RefreshLogConfigs();
            dynamicConfig.Changed += (_, updated) => logs.ProducerIdExpiration = TimeSpan.FromMilliseconds(updated.ProducerIdExpirationMs);
            var cleanerSettings = CleanerOptionsFactory.SettingsKey(config);
            dynamicConfig.Changed += (_, updated) =>
            {
                var settings = CleanerOptionsFactory.SettingsKey(updated);
                if (Interlocked.Exchange(ref cleanerSettings, settings) != settings)
                {
                    _ = ReconfigureCleanerAsync(logs, CleanerOptionsFactory.Create(updated, time), logger);
                }
            };
            await topics.LoadAsync(cancellationToken);

            var identity = new BrokerIdentity(config.NodeId, metadata.ClusterId, Rack: null);
            var handlers = new HandlerRegistry();
            var coordinators = new CoordinatorDirectory();
            groupCoordinator = new GroupCoordinator(config, topics, partitions, coordinators, time, loggers);
            await groupCoordinator.StartAsync(cancellationToken);
            var producerIds = new ProducerIdManager(metadata);
            transactionCoordinator = new TransactionCoordinator(config, topics, partitions, coordinators, producerIds, groupCoordinator, time, loggers);
            await transactionCoordinator.StartAsync(cancellationToken);
            RegisterHandlers(handlers, dynamicConfig, identity, topics, partitions, logs, time, coordinators, groupCoordinator, transactionCoordinator, producerIds, loggers);

            var meter = new Meter(MeterName);
            var networkMetrics = new BrokerNetworkMetrics(meter);
            LogCleanerMetrics.Register(meter, logs);
            if (config.MetricsListener is { } metricsAddress)
            {
                metricsServer = MetricsServer.Start(metricsAddress, meter, loggers);
            }

            var host = new BrokerHost(config, logs, metadata, topics, partitions, handlers, meter, networkMetrics, loggers) { _groupCoordinator = groupCoordinator, _transactionCoordinator = transactionCoordinator, _metricsServer = metricsServer };
            var dispatcher = new RequestDispatcher(handlers, loggers);
            var limits = new ConnectionLimits
            {
                SocketRequestMaxBytes = config.SocketRequestMaxBytes,
                MaxConnections = config.MaxConnections,
                ConnectionsMaxIdle = Interval(config.ConnectionsMaxIdleMs),
            };
            foreach (var listener in config.Listeners)
            {
                var advertised = config.AdvertisedListeners.FirstOrDefault(a => a.Name == listener.Name);
                var endPoint = new IPEndPoint(AcceptLoop.ResolveBindAddress(listener.Host), listener.Port);
                host._listeners.Add(SocketListener.Start(
                    listener.Name,
                    endPoint,
                    string.IsNullOrEmpty(advertised?.Host) ? null : advertised.Host,
                    advertised?.Port ?? 0,
                    dispatcher,
                    limits,
                    networkMetrics,
                    loggers,
                    time));
            }

            if (logger.IsEnabled(LogLevel.Information))
            {
                // Guarded: formatting the endpoints costs a first start several milliseconds even when nothing logs it.
                Log.Started(logger, config.NodeId, metadata.ClusterId, string.Join(", ", host.Listeners.Select(l => $"{l.Name}://{l.BoundEndPoint}")));
            }
            return host;
        }
        catch
        {
            if (metricsServer is not null)
            {
                await metricsServer.DisposeAsync();
            }

            if (transactionCoordinator is not null)
            {
                await transactionCoordinator.DisposeAsync();
            }

            if (groupCoordinator is not null)
            {
                await groupCoordinator.DisposeAsync();
            }

            await logs.ShutdownAsync();
            throw;
        }
    }

    /// <summary>Kafka expresses "never" as Long.MAX_VALUE milliseconds; TimeSpan cannot hold that.</summary>
    private static async Task ReconfigureCleanerAsync(LogManager logs, Runnel.Storage.Cleaner.CleanerOptions? options, ILogger logger)
    {
        try
        {
            await logs.ReconfigureCleanerAsync(options);
            Log.CleanerReconfigured(logger, options?.Threads ?? 0);
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    private static TimeSpan Interval(long milliseconds) =>
        milliseconds <= 0 || milliseconds >= int.MaxValue * 1000L ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(milliseconds);

    private static readonly IReadOnlyDictionary<string, string> EmptyOverrides = new Dictionary<string, string>();

    private static void RegisterHandlers(
        HandlerRegistry handlers,
        DynamicBrokerConfig dynamicConfig,
        BrokerIdentity identity,
        TopicService topics,
        PartitionRegistry partitions,
        LogManager logs,
        TimeProvider time,
        CoordinatorDirectory coordinators,
        GroupCoordinator groupCoordinator,
        TransactionCoordinator transactionCoordinator,
        ProducerIdManager producerIds,
        ILoggerFactory loggers)
    {
        var config = dynamicConfig.Current;

        // Decompression during validation is bounded by the request size limit: a batch cannot
        // legitimately expand beyond what a consumer could be sent.
        var maxDecompressed = Math.Max(config.SocketRequestMaxBytes, config.MessageMaxBytes);
        var autoCreate = new AutoTopicCreation(topics, config.AutoCreateTopicsEnable, config.NumPartitions);
        handlers.Add(new ApiVersionsHandler(handlers));
        handlers.Add(new MetadataHandler(identity, topics, partitions, autoCreate));
        bool VerificationEnabled() => dynamicConfig.Current.TransactionPartitionVerificationEnable;
        handlers.Add(new ProduceHandler(partitions, time, maxDecompressed, transactionCoordinator, VerificationEnabled));
        handlers.Add(new DescribeProducersHandler(partitions));

        // Idempotent and transactional producers.
        handlers.Add(new InitProducerIdHandler(producerIds, transactionCoordinator));
        handlers.Add(new AddPartitionsToTxnHandler(transactionCoordinator, partitions));
        handlers.Add(new AddOffsetsToTxnHandler(transactionCoordinator, groupCoordinator));
        handlers.Add(new EndTxnHandler(transactionCoordinator));
        handlers.Add(new TxnOffsetCommitHandler(groupCoordinator, transactionCoordinator, partitions, VerificationEnabled));
        handlers.Add(new DescribeTransactionsHandler(transactionCoordinator));
        handlers.Add(new ListTransactionsHandler(transactionCoordinator));
        handlers.Add(new FetchHandler(
            partitions, topics, new FetchSessionCache(config.MaxIncrementalFetchSessionCacheSlots, time), time, config.FetchMaxBytes, loggers.CreateLogger<FetchHandler>()));
        handlers.Add(new ListOffsetsHandler(partitions, maxDecompressed));
        handlers.Add(new OffsetForLeaderEpochHandler(partitions));
        handlers.Add(new FindCoordinatorHandler(identity, coordinators, groupCoordinator, transactionCoordinator));

        // Classic consumer groups.
        handlers.Add(new JoinGroupHandler(groupCoordinator));
        handlers.Add(new ListGroupsHandler(groupCoordinator));
        handlers.Add(new DescribeGroupsHandler(groupCoordinator));
        handlers.Add(new SyncGroupHandler(groupCoordinator));
        handlers.Add(new HeartbeatHandler(groupCoordinator));
        handlers.Add(new LeaveGroupHandler(groupCoordinator));
        handlers.Add(new OffsetCommitHandler(groupCoordinator, partitions));
        handlers.Add(new OffsetFetchHandler(groupCoordinator));
        handlers.Add(new DeleteGroupsHandler(groupCoordinator));
        handlers.Add(new OffsetDeleteHandler(groupCoordinator, partitions));

        // The consumer group protocol (KIP-848), unless group.coordinator.rebalance.protocols leaves it out.
        if (config.ConsumerGroupProtocolEnabled)
        {
            handlers.Add(new ConsumerGroupHeartbeatHandler(groupCoordinator));
            handlers.Add(new ConsumerGroupDescribeHandler(groupCoordinator, topics));
        }

        // Admin APIs.
        handlers.Add(new CreateTopicsHandler(dynamicConfig, topics, identity.NodeId));
        handlers.Add(new DeleteTopicsHandler(dynamicConfig, topics));
        handlers.Add(new CreatePartitionsHandler(topics, identity.NodeId));
        handlers.Add(new DeleteRecordsHandler(partitions));
        handlers.Add(new DescribeConfigsHandler(dynamicConfig, topics, identity.NodeId));
        handlers.Add(new AlterConfigsHandler(dynamicConfig, topics));
        handlers.Add(new IncrementalAlterConfigsHandler(dynamicConfig, topics, identity.NodeId));
        handlers.Add(new DescribeClusterHandler(identity));
        handlers.Add(new DescribeLogDirsHandler(logs));
        handlers.Add(new DescribeTopicPartitionsHandler(identity, topics, partitions));
    }

    /// <summary>Stops accepting, closes connections, flushes and checkpoints every log.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        Log.Stopping(_logger);

        // First, so no scrape calls into logs that are shutting down.
        if (_metricsServer is not null)
        {
            await _metricsServer.DisposeAsync();
        }

        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        if (_transactionCoordinator is not null)
        {
            await _transactionCoordinator.DisposeAsync();
        }

        if (_groupCoordinator is not null)
        {
            await _groupCoordinator.DisposeAsync();
        }

        await _logs.ShutdownAsync();
        _meter.Dispose();
        Log.Stopped(_logger);
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
