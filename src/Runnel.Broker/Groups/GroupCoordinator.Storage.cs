using Runnel.Broker.Coordination;
using Runnel.Broker.Partitions;
using Runnel.Protocol;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Broker.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Starts the coordinator: when <c>__consumer_offsets</c> exists, loads it in the background now;
    /// otherwise waits for the first request that needs it (see <see cref="OnDemandLoad"/>). The
    /// broker does not wait: until loading completes group requests get COORDINATOR_LOAD_IN_PROGRESS,
    /// and FindCoordinator waits a moment for the load, then answers COORDINATOR_NOT_AVAILABLE (as
    /// Kafka answers while a coordinator loads), so a broker is serving in milliseconds.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_partitions.TryGetTopic(OffsetsTopic, out _))
        {
            _load.Start();
        }

        return Task.CompletedTask;
    }

    private Task<Partition[]> EnsureOffsetsTopicAsync(CancellationToken cancellationToken) =>
        InternalTopic.EnsureAsync(_topics, _partitions, OffsetsTopic, _configuredPartitionCount, new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact",
            ["segment.bytes"] = _offsetsSegmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, cancellationToken);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var records = 0L;

        // The partition count on disk decides where groups live, whatever the config says now.
        _offsetsPartitions = await EnsureOffsetsTopicAsync(cancellationToken);

        // No request touches the state before the load is marked done, so the replay (which reads the log)
        // runs without the lock; taking it afterwards publishes the state.
        foreach (var partition in _offsetsPartitions)
        {
            records += Replay(partition);
        }

        FinishConsumerReplay(NowMs);
        int groupCount;
        lock (_lock)
        {
            RemoveOffsetsOfMissingTopics();
            groupCount = _groups.Count;

            // FindCoordinator answers from the directory once the load completes: set it first.
            _directory.HostsGroupCoordinator = true;
            _load.MarkLoaded();
        }

        Log.Loaded(_logger, _offsetsPartitions.Length, records, groupCount, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        _tick = _time.CreateTimer(static state => ((GroupCoordinator)state!).Tick(), this, s_tickInterval, s_tickInterval);
        await WriteLoopAsync(cancellationToken);
    }

    /// <summary>Replays one partition into the in-memory state (before loading completes); returns the records applied.</summary>
    private long Replay(Partition partition)
    {
        var now = NowMs;
        return InternalTopicReplay.Replay(partition.Log, partition.Log.HighWatermark, (ReadOnlySpan<byte> batch, in RecordBatchHeader header) => ReplayBatch(partition.Index, batch, header, now));
    }

    private int ReplayBatch(int offsetsPartition, ReadOnlySpan<byte> batch, RecordBatchHeader header, long now)
    {
        if (header.IsControl)
        {
            // The end of a transaction: its pending offsets become committed or are dropped.
            if (TransactionMarker.TryRead(batch) is { } marker)
            {
                ApplyMarkerLocked(offsetsPartition, header.ProducerId, marker.Type == ControlRecordType.Commit);
            }

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
                if (!record.HasKey || !OffsetsTopicRecords.TryReadKey(record.Key, out var key))
                {
                    continue;
                }

                var groupId = key.GroupId;
                var recordOffset = header.BaseOffset + record.OffsetDelta;
                count++;
                if (key.Type == OffsetsTopicRecords.OffsetKeyType)
                {
                    if (!record.HasValue)
                    {
                        if (_groups.TryGetValue(groupId, out var existing))
                        {
                            existing.Offsets.Remove((key.Topic, key.Partition));
                            existing.RemovePendingTransactionalOffset(key.Topic, key.Partition);
                        }
                    }
                    else if (OffsetsTopicRecords.TryReadOffsetValue(record.Value, out var committed, out var epoch, out var metadata, out var timestamp))
                    {
                        var offset = new CommittedOffset(committed, epoch, metadata, timestamp, recordOffset);
                        if (header.IsTransactional)
                        {
                            // TxnOffsetCommit: pending until the producer's marker (which may come later in the log, or after restart).
                            AddPendingOffset(GetOrCreateGroup(groupId), header.ProducerId, key.Topic, key.Partition, offset);
                        }
                        else
                        {
                            GetOrCreateGroup(groupId).Offsets[(key.Topic, key.Partition)] = offset;
                        }
                    }
                }
                else if (key.Type != OffsetsTopicRecords.GroupKeyType)
                {
                    ReplayConsumerRecord(key, record.HasValue, record.HasValue ? record.Value : default);
                }
                else if (!record.HasValue)
                {
                    // The classic metadata is gone: the group was deleted or expired (its offset
                    // tombstones came first) or it became a consumer group (its offsets stay).
                    if (_groups.TryGetValue(groupId, out var existing))
                    {
                        existing.Members.Clear();
                        existing.StaticMembers.Clear();
                        existing.State = GroupState.Empty;
                        existing.MetadataRecordOffset = -1;
                        if (existing.IsVacant)
                        {
                            _groups.Remove(groupId);
                        }
                    }
                }
                else
                {
                    var group = GetOrCreateGroup(groupId);
                    if (OffsetsTopicRecords.TryReadGroupValue(record.Value, group, now))
                    {
                        group.MetadataRecordOffset = recordOffset;
                    }
                }
            }

            return count;
        }
        finally
        {
            decompressed?.Dispose();
        }
    }

    private CoordinatedGroup GetOrCreateGroup(string groupId)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            group = new CoordinatedGroup(groupId, PartitionFor(groupId));
            _groups.Add(groupId, group);
        }

        return group;
    }

    /// <summary>Queues the group's metadata record (caller holds the lock); the task completes when it is written.</summary>
    private Task<ErrorCode> QueueGroupMetadata(CoordinatedGroup group)
    {
        var record = (OffsetsTopicRecords.GroupKey(group.GroupId), (byte[]?)OffsetsTopicRecords.GroupValue(group, NowMs));
        var write = new PendingWrite(group.OffsetsPartition, [record], null);
        Enqueue(write);
        return write.Done.Task;
    }

    /// <summary>Queues a write for the writer; once the writer has stopped it fails at once with COORDINATOR_NOT_AVAILABLE.</summary>
    private void Enqueue(PendingWrite write)
    {
        if (!_writes.Writer.TryWrite(write))
        {
            write.Done.TrySetResult(ErrorCode.CoordinatorNotAvailable);
        }
    }

    /// <summary>
    /// The single writer: drains what is queued, appends one batch per partition in queue order,
    /// waits for the flush when the topic flushes before acks, applies and completes.
    /// </summary>
    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var reader = _writes.Reader;
        var round = new List<PendingWrite>();
        var byPartition = new Dictionary<int, List<PendingWrite>>();
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var write))
                {
                    round.Add(write);
                }

                foreach (var write in round)
                {
                    if (!byPartition.TryGetValue(write.Partition, out var list))
                    {
                        byPartition[write.Partition] = list = new();
                    }

                    list.Add(write);
                }

                foreach (var (index, writes) in byPartition)
                {
                    await WritePartitionAsync(_offsetsPartitions[index], writes, cancellationToken);
                }

                round.Clear();
                byPartition.Clear();
            }
        }
        finally
        {
            // No write queued from now on waits for a writer that is gone.
            _writes.Writer.TryComplete();
            foreach (var write in round)
            {
                write.Done.TrySetResult(ErrorCode.CoordinatorNotAvailable);
            }

            while (reader.TryRead(out var write))
            {
                write.Done.TrySetResult(ErrorCode.CoordinatorNotAvailable);
            }
        }
    }

    /// <summary>
    /// Appends queued writes as batches no larger than the topic's <c>max.message.bytes</c>; a
    /// single write that cannot fit fails alone with RECORD_LIST_TOO_LARGE (callers map it to their
    /// API's error, as Kafka does), and the writes around it still go through.
    /// </summary>
    private async Task WritePartitionAsync(Partition partition, List<PendingWrite> writes, CancellationToken cancellationToken)
    {
        var limit = partition.Config.MaxMessageBytes;
        var start = 0;
        while (start < writes.Count)
        {
            var end = start + 1;
            var estimate = RecordBatchHeader.Size + EstimateSize(writes[start]);
            while (end < writes.Count && !writes[start].IsTransactional && !writes[end].IsTransactional && estimate + EstimateSize(writes[end]) <= limit)
            {
                estimate += EstimateSize(writes[end]);
                end++;
            }

            await AppendAsync(partition, writes, start, end, cancellationToken);
            start = end;
        }
    }

    /// <summary>An upper bound of the bytes <paramref name="write"/> adds to a batch (varint headers at their widest).</summary>
    private static long EstimateSize(PendingWrite write)
    {
        const int RecordOverhead = 1 + 10 + 5 + 5 + 5 + 5 + 5;
        long size = 0;
        foreach (var (key, value) in write.Records)
        {
            size += RecordOverhead + key.Length + (value?.Length ?? 0);
        }

        return size;
    }

    private async Task AppendAsync(Partition partition, List<PendingWrite> writes, int start, int end, CancellationToken cancellationToken)
    {
        var first = writes[start];
        var builder = new RecordBatchBuilder();
        var timestamp = NowMs;
        if (first.IsTransactional)
        {
            // Kafka's coordinator writes transactional offsets with sequence 0 and the producer's
            // epoch (the partition fences a zombie by it); the marker is a control batch.
            builder.ProducerId = first.ProducerId;
            builder.ProducerEpoch = first.ProducerEpoch;
            builder.BaseSequence = first.Marker is null ? 0 : -1;
            builder.IsTransactional = true;
            builder.IsControl = first.Marker is not null;
            if (first.Marker is { } marker)
            {
                builder.AppendEndTransactionMarker(marker, 0, timestamp);
            }
        }

        for (var i = start; i < end; i++)
        {
            foreach (var (key, value) in writes[i].Records)
            {
                builder.Append(timestamp, key, value);
            }
        }

        var error = ErrorCode.None;
        var firstOffset = -1L;
        try
        {
            var bytes = builder.ToArray();
            if (bytes.Length > partition.Config.MaxMessageBytes)
            {
                error = ErrorCode.RecordListTooLarge;
            }
            else
            {
                var appended = partition.Log.Append(bytes, partition.LeaderEpoch, useLogAppendTime: false, fromCoordinator: true, verifier: first.Verifier);
                firstOffset = appended.FirstOffset;
                if (appended.Producer.Result != ProducerCheckResult.Append)
                {
                    // Only transactional writes can be refused: fenced by a newer epoch, or (KIP-890) the
                    // transaction does not include this partition (the verifier holds the coordinator's answer).
                    error = appended.Producer.Result == ProducerCheckResult.NotVerified ? ErrorCode.InvalidTxnState : ErrorCode.InvalidProducerEpoch;
                }
                else if (partition.Config.Log.FlushOnAcks)
                {
                    await partition.Log.WaitForFlushAsync(appended.LastOffset, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is LogOfflineException or ObjectDisposedException or IOException)
        {
            // Offline, or closed under us (the topic deleted): this write fails, the writer goes on.
            Log.WriteFailed(_logger, partition.Index, ex);
            error = ErrorCode.NotCoordinator;
        }

        if (error == ErrorCode.None)
        {
            lock (_lock)
            {
                var offset = firstOffset;
                for (var i = start; i < end; i++)
                {
                    writes[i].Applied?.Invoke(offset);
                    offset += writes[i].Records.Count;
                }
            }
        }

        for (var i = start; i < end; i++)
        {
            writes[i].Done.TrySetResult(error);
        }
    }
}
