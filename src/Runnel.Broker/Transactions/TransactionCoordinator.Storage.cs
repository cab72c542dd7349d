using Runnel.Broker.Coordination;
using Runnel.Broker.Partitions;
using Runnel.Protocol;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Broker.Transactions;

public sealed partial class TransactionCoordinator
{
    /// <summary>
    /// Starts the coordinator: when <c>__transaction_state</c> exists, loads it in the background now
    /// (replays it, completes the transactions whose decision was stored but whose markers may not all
    /// be written, starts the timeout and expiry ticks); otherwise waits for the first request that
    /// needs it (see <see cref="OnDemandLoad"/>). Until loaded, transactional requests get
    /// COORDINATOR_LOAD_IN_PROGRESS and FindCoordinator waits a moment, then answers COORDINATOR_NOT_AVAILABLE.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_partitions.TryGetTopic(StateTopic, out _))
        {
            _load.Start();
        }

        return Task.CompletedTask;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();

        // Markers for __consumer_offsets go through the group coordinator, which must know the
        // pending transactional offsets first.
        await _groups.Load.Start().WaitAsync(cancellationToken);

        // The partition count on disk decides where ids live, whatever the config says now.
        _statePartitions = await EnsureStateTopicAsync(cancellationToken);
        var records = 0L;
        foreach (var partition in _statePartitions)
        {
            records += InternalTopicReplay.Replay(partition.Log, partition.Log.LogEndOffset, Replay);
        }

        var unfinished = new List<(TransactionMetadata Metadata, TransactionTransit Transit)>();
        int count;
        lock (_lock)
        {
            foreach (var metadata in _transactions.Values)
            {
                if (metadata.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort)
                {
                    unfinished.Add((metadata, metadata.ToTransit()));
                }
            }

            count = _transactions.Count;

            // FindCoordinator answers from the directory once the load completes: set it first.
            _directory.HostsTransactionCoordinator = true;
            _load.MarkLoaded();
        }

        Log.Loaded(_logger, _statePartitions.Length, records, count, unfinished.Count, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        foreach (var (metadata, transit) in unfinished)
        {
            _ = StartMarkers(metadata, transit);
        }

        lock (_lock)
        {
            // DisposeAsync may already have run: it must not miss a timer created after it looked.
            cancellationToken.ThrowIfCancellationRequested();
            _abortTimer = _time.CreateTimer(static state => ((TransactionCoordinator)state!).AbortTimedOut(), this, _abortInterval, _abortInterval);
            _expiryTimer = _time.CreateTimer(static state => ((TransactionCoordinator)state!).ExpireIds(), this, _expiryInterval, _expiryInterval);
        }
    }

    private Task<Partition[]> EnsureStateTopicAsync(CancellationToken cancellationToken) =>
        InternalTopic.EnsureAsync(_topics, _partitions, StateTopic, _configuredPartitionCount, new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact",
            ["compression.type"] = "uncompressed",
            ["segment.bytes"] = _segmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, cancellationToken);

    /// <summary>Applies one batch of <c>__transaction_state</c>: the latest record of an id wins, a tombstone removes it.</summary>
    private int Replay(ReadOnlySpan<byte> batch, in RecordBatchHeader header)
    {
        if (header.IsControl)
        {
            return 0;
        }

        var section = InternalTopicReplay.Records(batch, header, out var decompressed);
        try
        {
            var count = 0;
            var reader = new RecordReader(section, header.RecordCount);
            while (reader.MoveNext())
            {
                var record = reader.Current;
                if (!record.HasKey || !TransactionLogRecords.TryReadKey(record.Key, out var transactionalId))
                {
                    continue;
                }

                count++;
                if (!record.HasValue)
                {
                    _transactions.Remove(transactionalId);
                }
                else if (TransactionLogRecords.TryReadValue(record.Value, out var transit))
                {
                    if (!_transactions.TryGetValue(transactionalId, out var metadata))
                    {
                        metadata = new TransactionMetadata(transactionalId, PartitionFor(transactionalId));
                        _transactions.Add(transactionalId, metadata);
                    }

                    metadata.Apply(transit);
                }
            }

            return count;
        }
        finally
        {
            decompressed?.Dispose();
        }
    }

    /// <summary>
    /// Stores a prepared change of <paramref name="metadata"/> (whose <c>Pending</c> is set) and applies
    /// it, or, when the append fails, drops it and returns the error clients understand. Whatever
    /// happens, <c>Pending</c> is cleared, so no id can be left refusing every request. A failed
    /// <paramref name="fence"/> is remembered, so its retry does not bump the epoch again.
    /// </summary>
    private async Task<ErrorCode> StoreAsync(TransactionMetadata metadata, TransactionTransit transit, bool fence = false)
    {
        var error = ErrorCode.UnknownServerError;
        try
        {
            error = await AppendAsync(metadata.StatePartition, TransactionLogRecords.Key(metadata.TransactionalId), TransactionLogRecords.Value(transit));
        }
        finally
        {
            lock (_lock)
            {
                if (error == ErrorCode.None)
                {
                    metadata.Apply(transit);
                }
                else
                {
                    metadata.Pending = null;
                }

                if (fence)
                {
                    metadata.HasFailedEpochFence = error != ErrorCode.None;
                }
            }
        }

        return error;
    }

    /// <summary>
    /// Appends one record to a <c>__transaction_state</c> partition, flushed first when the topic
    /// flushes before acks. A log that went offline is NOT_COORDINATOR, as Kafka maps a storage error,
    /// so clients look the coordinator up again.
    /// </summary>
    private async Task<ErrorCode> AppendAsync(int statePartition, byte[] key, byte[]? value)
    {
        var partition = _statePartitions[statePartition];
        var builder = new RecordBatchBuilder();
        builder.Append(NowMs, key, value);
        try
        {
            var appended = partition.Log.Append(builder.ToArray(), partition.LeaderEpoch, useLogAppendTime: false);
            if (partition.Config.Log.FlushOnAcks)
            {
                await partition.Log.WaitForFlushAsync(appended.LastOffset, _stopping.Token);
            }

            return ErrorCode.None;
        }
        catch (Exception ex) when (ex is LogOfflineException or ObjectDisposedException or IOException)
        {
            // Offline, or closed under us (the topic deleted): clients look the coordinator up again.
            Log.WriteFailed(_logger, statePartition, ex);
            return ErrorCode.NotCoordinator;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
    }
}
