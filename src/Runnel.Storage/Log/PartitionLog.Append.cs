using System.Buffers.Binary;
using Runnel.Protocol.Records;
using Runnel.Storage.Producers;

namespace Runnel.Storage.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Appends batches that the caller already validated (header, CRC, sizes): assigns offsets from
    /// the log end offset, stamps the partition leader epoch and, with <paramref name="useLogAppendTime"/>,
    /// the broker's time (which recomputes the CRC), rolls the segment if needed, writes, indexes, and
    /// advances the log end offset and high watermark. The bytes in <paramref name="validatedBatches"/>
    /// are patched in place and are exactly what is stored and later served to Fetch.
    /// </summary>
    /// <remarks>
    /// The batches are visible to <see cref="Read"/> on return but not yet durable: await
    /// <see cref="WaitForFlushAsync"/> with <see cref="LogAppendResult.LastOffset"/> for that.
    /// Throws <see cref="LogOfflineException"/> when the log is offline or the write fails (which takes
    /// it offline), <see cref="ArgumentException"/> when the bytes are not whole batches.
    /// <paramref name="fromCoordinator"/> marks batches a coordinator writes for a producer (markers,
    /// transactional offsets): their producer epoch is checked, their sequence is not. With a
    /// <paramref name="verifier"/>, a transactional batch that would open a transaction here is
    /// appended only if the coordinator confirms it (KIP-890), under the lock.
    /// </remarks>
    public LogAppendResult Append(Span<byte> validatedBatches, int leaderEpoch, bool useLogAppendTime, bool fromCoordinator = false, ITransactionVerifier? verifier = null)
    {
        ThrowIfUnusable(forAppend: true);
        var appendTime = useLogAppendTime ? NowMs : -1;

        // Outside the lock: walk the batches, stamp the epoch and LogAppendTime (CRC recomputation is
        // the only per-byte work, so it stays out of the critical section).
        var batchCount = 0;
        var maxTimestamp = -1L;
        var position = 0;
        var hasProducerBatch = false;
        while (position < validatedBatches.Length)
        {
            var batch = validatedBatches[position..];
            if (batch.Length < RecordBatchHeader.Size)
            {
                ThrowHelper.ThrowInvalidBatches(ThrowHelper.AppendRejection.TrailingBytes, position);
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..]);
            if (length < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || (long)length + RecordBatchHeader.LogOverhead > batch.Length)
            {
                ThrowHelper.ThrowInvalidBatches(ThrowHelper.AppendRejection.BatchLengthOutOfBounds, position);
            }

            var total = length + RecordBatchHeader.LogOverhead;
            batch = batch[..total];
            if (BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..]) < 0)
            {
                ThrowHelper.ThrowInvalidBatches(ThrowHelper.AppendRejection.NegativeLastOffsetDelta, position);
            }

            RecordBatchHeader.PatchPartitionLeaderEpoch(batch, leaderEpoch);
            if (useLogAppendTime)
            {
                RecordBatchHeader.PatchLogAppendTime(batch, appendTime);
            }

            maxTimestamp = Math.Max(maxTimestamp, BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..]));
            hasProducerBatch |= BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchHeader.ProducerIdOffset..]) >= 0;
            batchCount++;
            position += total;
        }

        if (batchCount == 0)
        {
            ThrowHelper.ThrowInvalidBatches(ThrowHelper.AppendRejection.NoBatches, 0);
        }

        if (hasProducerBatch && batchCount > 1)
        {
            ThrowHelper.ThrowInvalidBatches(ThrowHelper.AppendRejection.ProducerBatchNotAlone, 0);
        }

        var header = hasProducerBatch ? RecordBatchHeader.Read(validatedBatches) : default;
        var marker = hasProducerBatch && header.IsControl ? TransactionMarker.TryRead(validatedBatches) : null;

        LogAppendResult result;
        bool flushDue;
        bool rolled;
        Exception? failure = null;
        lock (_lock)
        {
            ThrowIfUnusable(forAppend: true);
            if (hasProducerBatch)
            {
                var check = _producers.Check(header, fromCoordinator);
                if (check.Result == ProducerCheckResult.Duplicate)
                {
                    // Kafka answers a duplicate with the original batch's append time on LogAppendTime topics.
                    return new LogAppendResult(check.Original.FirstOffset, check.Original.LastOffset,
                        useLogAppendTime ? check.Original.MaxTimestamp : -1, _logStartOffset, 0, 0, check);
                }

                if (check.Result != ProducerCheckResult.Append)
                {
                    return new LogAppendResult(-1, -1, -1, _logStartOffset, 0, 0, check);
                }

                if (verifier is not null && header.IsTransactional && !header.IsControl
                    && _producers.Get(header.ProducerId) is not { CurrentTxnFirstOffset: >= 0 }
                    && !verifier.Verify(header.ProducerId, header.ProducerEpoch))
                {
                    return new LogAppendResult(-1, -1, -1, _logStartOffset, 0, 0, new ProducerCheck(ProducerCheckResult.NotVerified, default,
                        $"Producer {header.ProducerId} has no ongoing transaction that includes {TopicPartition}"));
                }
            }

            var config = _config;
            var firstOffset = _logEndOffset;
            var nextOffset = firstOffset;
            position = 0;
            while (position < validatedBatches.Length)
            {
                var batch = validatedBatches[position..];
                RecordBatchHeader.PatchBaseOffset(batch, nextOffset);
                nextOffset += BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..]) + 1L;
                position += BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..]) + RecordBatchHeader.LogOverhead;
            }

            var nowMs = NowMs;
            var active = _segments.Active;
            rolled = false;
            try
            {
                if (active.ShouldRoll(validatedBatches.Length, maxTimestamp, nextOffset - 1, nowMs, config))
                {
                    active = RollLocked(nowMs, config);
                    rolled = true;
                }

                active.Append(validatedBatches, config.IndexIntervalBytes, nowMs, config.Preallocate ? config.SegmentBytes : 0);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failure = ex;
            }

            if (failure is null && hasProducerBatch
                && _producers.Record(header, firstOffset, nextOffset - 1, marker) is { IsAborted: true } aborted)
            {
                // Kafka's UnifiedLog.append: after the write, the abort goes into the marker segment's
                // .txnindex. Failing to write it is failing to write the log.
                try
                {
                    var entry = AbortedTransaction.After(aborted, _producers);
                    IndexAbortsLocked(active, new ReadOnlySpan<AbortedTransaction>(in entry));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    failure = ex;
                }
            }

            if (failure is null)
            {
                Volatile.Write(ref _logEndOffset, nextOffset);

                // One node: the high watermark follows the log end offset. Replication replaces this
                // line with UpdateHighWatermark calls driven by the in-sync replicas.
                Volatile.Write(ref _highWatermark, nextOffset);
                UpdateLastStableOffsetLocked();
            }

            result = new LogAppendResult(firstOffset, nextOffset - 1, appendTime, _logStartOffset, batchCount, validatedBatches.Length, ProducerCheck.Append);
            flushDue = nextOffset - RecoveryPoint >= config.FlushMessages;
        }

        if (failure is not null)
        {
            MarkOffline(failure);
            ThrowHelper.ThrowLogOffline(TopicPartition, failure);
        }

        WritePendingSnapshot();
        if (rolled || flushDue)
        {
            // Kafka flushes a rolled segment in the background right away, whatever the flush policy,
            // so the recovery point can pass it; flush.messages asks for the same.
            RequestFlush();
        }

        RaiseAppended();
        return result;
    }

    /// <summary>Rolls to a new empty segment at the log end offset, unless the active segment is empty.</summary>
    public void Roll()
    {
        ThrowIfUnusable(forAppend: true);
        Exception? failure = null;
        lock (_lock)
        {
            if (_segments.Active.Size == 0)
            {
                return;
            }

            try
            {
                RollLocked(NowMs, _config);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failure = ex;
            }
        }

        if (failure is not null)
        {
            MarkOffline(failure);
            throw new LogOfflineException(TopicPartition, failure);
        }

        WritePendingSnapshot();
        RequestFlush();
    }

    /// <summary>Writes the snapshot a roll captured, if any (outside the append lock).</summary>
    private void WritePendingSnapshot()
    {
        (long Offset, List<ProducerStateEntry> Entries, long Truncations)? pending;
        lock (_lock)
        {
            pending = _pendingSnapshot;
            _pendingSnapshot = null;
        }

        if (pending is not { } snapshot)
        {
            return;
        }

        WriteProducerSnapshot(snapshot.Offset, snapshot.Entries);
        lock (_lock)
        {
            // A truncation while the file was written may have removed the batches it describes.
            if (_truncations != snapshot.Truncations || snapshot.Offset > _logEndOffset)
            {
                TryDeleteSnapshot(snapshot.Offset);
            }
        }
    }

    private LogSegment RollLocked(long nowMs, LogConfig config)
    {
        // Kafka snapshots producer state at every roll, so an open replays at most one segment.
        // Captured here, written by the caller after it lets go of the lock.
        _pendingSnapshot = (_logEndOffset, _producers.CopyEntries(), _truncations);
        var previous = _segments.Active;
        previous.OnBecomeInactive();
        previous.TrimPreallocation();
        var segment = LogSegment.Create(_fs, Directory, _logEndOffset, config, nowMs);
        _segments = _segments.Add(segment);

        // The new files' directory entries must be durable before anything in them is acknowledged.
        _directoryDirty = true;
        Log.Rolled(_logger, TopicPartition.Topic, TopicPartition.Partition, segment.BaseOffset);
        return segment;
    }

    private void RaiseAppended()
    {
        var handler = Appended;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_logger, TopicPartition.Topic, TopicPartition.Partition, nameof(Appended), ex);
        }
    }
}
