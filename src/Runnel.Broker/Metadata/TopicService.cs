using Microsoft.Extensions.Logging;
using Runnel.Broker.Partitions;
using Runnel.Protocol;
using Runnel.Storage.Log;

namespace Runnel.Broker.Metadata;

/// <summary>
/// Creates, grows, reconfigures and deletes topics: the metadata image, the partition logs and the
/// partition registry, kept consistent with one another. Admin operations are rare, so they are
/// serialised by one async lock; the data path never takes it.
/// Crash consistency: logs are created before the metadata that names them is persisted, and the
/// metadata forgets a topic before its logs are deleted; <see cref="LoadAsync"/> removes logs the
/// metadata does not name and creates logs the metadata names but the disk lacks.
/// </summary>
public sealed class TopicService
{
    private readonly MetadataStore _store;
    private readonly PartitionRegistry _partitions;
    private readonly LogManager _logs;
    private readonly Func<IReadOnlyDictionary<string, string>, TopicRuntimeConfig> _configFor;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _adminLock = new(1, 1);

    public TopicService(MetadataStore store, PartitionRegistry partitions, LogManager logs, Func<IReadOnlyDictionary<string, string>, TopicRuntimeConfig> configFor, ILoggerFactory loggers)
    {
        _store = store;
        _partitions = partitions;
        _logs = logs;
        _configFor = configFor;
        _logger = loggers.CreateLogger<TopicService>();
    }

    public MetadataImage Image => _store.Current;

    /// <summary>
    /// Raised after a topic is deleted (its name), on the deleting request's thread; handlers must
    /// not block. The group coordinator drops the topic's committed offsets.
    /// </summary>
    public event Action<string>? TopicDeleted;

    /// <summary>Reconciles the loaded logs with the metadata at startup.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var image = _store.Current;
        var named = new HashSet<TopicPartition>();
        foreach (var topic in image.Topics)
        {
            var config = _configFor(topic.Configs);
            var partitions = new Partition[topic.PartitionCount];
            for (var i = 0; i < topic.PartitionCount; i++)
            {
                var tp = new TopicPartition(topic.Name, i);
                named.Add(tp);
                var log = _logs.GetLog(tp) ?? _logs.CreateLog(tp, config.Log);
                log.UpdateConfig(config.Log);
                partitions[i] = CreatePartition(topic, i, log, config);
            }

            _partitions.SetTopic(topic.Name, partitions);
        }

        foreach (var orphan in _logs.AllLogs.Select(l => l.TopicPartition).Where(tp => !named.Contains(tp)).ToList())
        {
            Log.DeletingOrphanLog(_logger, orphan.Topic, orphan.Partition);
            await _logs.DeleteLogAsync(orphan);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private static Partition CreatePartition(TopicMetadata topic, int index, PartitionLog log, TopicRuntimeConfig config)
    {
        var partition = new Partition(topic.Name, topic.TopicId, index, log, config);
        log.Appended += _ => partition.Notifier.Notify();
        return partition;
    }

    /// <summary>
    /// Validates and (unless <paramref name="validateOnly"/>) creates a topic. Name, partition count
    /// and configs must already be validated by the caller except for existence and collisions,
    /// which only this lock can decide.
    /// </summary>
    public async Task<TopicOperationResult> CreateTopicAsync(string name, int partitionCount, IReadOnlyDictionary<string, string> configs, bool validateOnly, CancellationToken cancellationToken)
    {
        await _adminLock.WaitAsync(cancellationToken);
        try
        {
            var image = _store.Current;
            if (image.TryGetTopic(name, out _))
            {
                return TopicOperationResult.Fail(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            }

            foreach (var existing in image.Topics)
            {
                if (TopicNames.Collides(existing.Name, name))
                {
                    return TopicOperationResult.Fail(ErrorCode.InvalidTopicException, $"Topic '{name}' collides with existing topic: {existing.Name}");
                }
            }

            var topic = new TopicMetadata(name, Guid.NewGuid(), partitionCount, new Dictionary<string, string>(configs));
            if (validateOnly)
            {
                return TopicOperationResult.Ok(topic);
            }

            var partitions = new Partition[partitionCount];
            await CreateLogsAsync(topic, partitions, 0, cancellationToken);
            await _store.UpdateAsync(img => img.With(topic), cancellationToken);
            _partitions.SetTopic(name, partitions);
            Log.TopicCreated(_logger, name, partitionCount);
            return TopicOperationResult.Ok(topic);
        }
        finally
        {
            _adminLock.Release();
        }
    }

    /// <summary>
    /// Creates the logs of <paramref name="topic"/>'s partitions from <paramref name="from"/> on into
    /// <paramref name="partitions"/>, on a thread-pool thread: each log creates files and fsyncs its
    /// directory, blocking I/O that must not hold the caller's thread. That thread is a request's, and
    /// in <c>runnel broker</c> it is the socket engine thread every connection's requests run on (a
    /// 50-partition topic spends 80–90 ms in 500 opens, 50 mkdirs and 100 fsyncs on the benchmark VM),
    /// or a thread of an embedding host whose thread pool may have no other thread free.
    /// </summary>
    private Task CreateLogsAsync(TopicMetadata topic, Partition[] partitions, int from, CancellationToken cancellationToken)
    {
        var config = _configFor(topic.Configs);
        return Task.Run(
            () =>
            {
                for (var i = from; i < partitions.Length; i++)
                {
                    // A cancelled create (broker stopping) leaves logs no metadata names; the next
                    // start deletes them (LoadAsync).
                    cancellationToken.ThrowIfCancellationRequested();
                    partitions[i] = CreatePartition(topic, i, _logs.CreateLog(new TopicPartition(topic.Name, i), config.Log), config);
                }
            },
            CancellationToken.None);
    }

    /// <summary>
    /// Deletes a topic: forgets it, then removes its logs (files go asynchronously). With
    /// <paramref name="expectedTopicId"/> set, only that incarnation of the name is deleted, so a
    /// topic deleted and re-created since the caller looked it up is left alone.
    /// </summary>
    public async Task<TopicOperationResult> DeleteTopicAsync(string name, Guid expectedTopicId, CancellationToken cancellationToken)
    {
        await _adminLock.WaitAsync(cancellationToken);
        try
        {
            if (!_store.Current.TryGetTopic(name, out var topic))
            {
                return TopicOperationResult.Fail(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
            }

            if (expectedTopicId != Guid.Empty && topic.TopicId != expectedTopicId)
            {
                return TopicOperationResult.Fail(ErrorCode.UnknownTopicId, "This server does not host this topic ID.");
            }

            await _store.UpdateAsync(img => img.Without(name), cancellationToken);
            var removed = _partitions.RemoveTopic(name);
            if (removed is not null)
            {
                foreach (var p in removed)
                {
                    p.Notifier.Notify();
                }

                // Off the request thread, as CreateLogsAsync: each deletion renames a directory and fsyncs its parent.
                await Task.Run(
                    async () =>
                    {
                        foreach (var p in removed)
                        {
                            await _logs.DeleteLogAsync(new TopicPartition(name, p.Index));
                        }
                    },
                    CancellationToken.None);
            }

            Log.TopicDeleted(_logger, name);
            TopicDeleted?.Invoke(name);
            return TopicOperationResult.Ok(topic);
        }
        finally
        {
            _adminLock.Release();
        }
    }

    /// <summary>Grows a topic to <paramref name="newCount"/> partitions (Kafka never shrinks).</summary>
    public async Task<TopicOperationResult> CreatePartitionsAsync(string name, int newCount, bool validateOnly, CancellationToken cancellationToken)
    {
        await _adminLock.WaitAsync(cancellationToken);
        try
        {
            if (!_store.Current.TryGetTopic(name, out var topic))
            {
                return TopicOperationResult.Fail(ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
            }

            if (newCount == topic.PartitionCount)
            {
                return TopicOperationResult.Fail(ErrorCode.InvalidPartitions, $"Topic already has {topic.PartitionCount} partitions.");
            }

            if (newCount < topic.PartitionCount)
            {
                return TopicOperationResult.Fail(ErrorCode.InvalidPartitions, $"The topic {name} currently has {topic.PartitionCount} partition(s); {newCount} would not be an increase.");
            }

            var grown = topic with { PartitionCount = newCount };
            if (validateOnly)
            {
                return TopicOperationResult.Ok(grown);
            }

            _partitions.TryGetTopic(name, out var current);
            var partitions = new Partition[newCount];
            current?.CopyTo(partitions, 0);
            await CreateLogsAsync(grown, partitions, topic.PartitionCount, cancellationToken);
            await _store.UpdateAsync(img => img.With(grown), cancellationToken);
            _partitions.SetTopic(name, partitions);
            return TopicOperationResult.Ok(grown);
        }
        finally
        {
            _adminLock.Release();
        }
    }

    /// <summary>
    /// Read-modify-write of a topic's config overrides under the admin lock, so two alters of the
    /// same topic cannot lose each other's change (Kafka's controller serialises them the same way).
    /// <paramref name="change"/> gets the current overrides and returns the new set, or null to
    /// leave them unchanged (the caller records why).
    /// </summary>
    public async Task<TopicOperationResult> UpdateTopicConfigsAsync(string name, Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>?> change, CancellationToken cancellationToken)
    {
        await _adminLock.WaitAsync(cancellationToken);
        try
        {
            if (!_store.Current.TryGetTopic(name, out var topic))
            {
                return TopicOperationResult.Fail(ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
            }

            var configs = change(topic.Configs);
            if (configs is null)
            {
                return TopicOperationResult.Ok(topic);
            }

            var updated = topic with { Configs = new Dictionary<string, string>(configs) };
            await _store.UpdateAsync(img => img.With(updated), cancellationToken);
            ApplyLogConfig(updated);
            return TopicOperationResult.Ok(updated);
        }
        finally
        {
            _adminLock.Release();
        }
    }

    /// <summary>Re-applies every topic's log config (after a dynamic broker default changed).</summary>
    public void RefreshLogConfigs()
    {
        foreach (var topic in _store.Current.Topics)
        {
            ApplyLogConfig(topic);
        }
    }

    private void ApplyLogConfig(TopicMetadata topic)
    {
        if (!_partitions.TryGetTopic(topic.Name, out var partitions))
        {
            return;
        }

        var config = _configFor(topic.Configs);
        foreach (var p in partitions)
        {
            p.Config = config;
            p.Log.UpdateConfig(config.Log);
        }
    }
}
