using Runnel.Storage.Producers;

namespace Runnel.Storage.Log;

public sealed partial class PartitionLog
{
    /// <summary>Segments renamed <c>.deleted</c>, waiting for <c>file.delete.delay.ms</c>, each batch with its one-shot timer.</summary>
    private readonly List<(ITimer Timer, LogSegment[] Segments)> _pendingDeletions = [];

    /// <summary>
    /// Kafka's <c>deleteOldSegments</c>: deletes whole segments, oldest first, whose largest
    /// timestamp is older than <c>retention.ms</c>, then while the log exceeds <c>retention.bytes</c>,
    /// then those entirely below the log start offset. Only segments entirely below the high
    /// watermark go; the active segment goes too when it qualifies and has data, after a roll (so the
    /// log always keeps one, empty, segment at the log end offset). Moves the log start offset.
    /// </summary>
    /// <returns>The number of segments deleted.</returns>
    public int EnforceRetention(DateTimeOffset now)
    {
        ThrowIfUnusable(forAppend: false);
        var nowMs = now.ToUnixTimeMilliseconds();
        var config = _config;
        var deleted = 0;
        if (config.RetentionMs >= 0)
        {
            deleted += DeleteOldSegments(RetentionKind.RetentionMs, nowMs, config);
        }

        if (config.RetentionBytes >= 0)
        {
            deleted += DeleteOldSegments(RetentionKind.RetentionBytes, nowMs, config);
        }

        deleted += DeleteOldSegments(RetentionKind.LogStartOffset, nowMs, config);
        return deleted;
    }

    /// <summary>
    /// DeleteRecords: moves the log start offset to <paramref name="offset"/> (never backwards) and
    /// deletes the segments entirely below it. <see cref="LogError.OffsetOutOfRange"/> when the offset
    /// is above the high watermark (the broker maps Kafka's -1 to the high watermark first). The new
    /// start offset is persisted by the next log-start-offset checkpoint.
    /// </summary>
    public LogDeleteRecordsResult DeleteRecordsBefore(long offset)
    {
        ThrowIfUnusable(forAppend: false);
        lock (_lock)
        {
            if (offset > _highWatermark || offset < 0)
            {
                return new LogDeleteRecordsResult(LogError.OffsetOutOfRange, _logStartOffset);
            }

            if (offset > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, offset);
                _aborted.RemoveBelow(offset);
                UpdateLastStableOffsetLocked();
                Log.LogStartOffsetMoved(_logger, TopicPartition.Topic, TopicPartition.Partition, offset, "DeleteRecords");
            }
        }

        DeleteOldSegments(RetentionKind.LogStartOffset, NowMs, _config);
        return new LogDeleteRecordsResult(LogError.None, LogStartOffset);
    }

    /// <summary>
    /// Removes every record at or after <paramref name="offset"/> (at batch granularity: the batch
    /// containing it goes too, so the log end offset becomes that batch's base offset). For
    /// replication (a follower's divergent tail) and tests. Flush waiters above the new end fail.
    /// Truncating below the first segment empties the log and restarts it at <paramref name="offset"/>.
    /// </summary>
    /// <returns>True if anything was removed.</returns>
    public bool TruncateTo(long offset)
    {
        ThrowIfUnusable(forAppend: true);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        LogSegment[] removed;
        long newEnd;
        Exception? failure = null;
        lock (_lock)
        {
            if (offset >= _logEndOffset)
            {
                return false;
            }

            var segments = _segments;
            var index = segments.Floor(offset);
            try
            {
                if (index < 0)
                {
                    removed = [.. segments.AsSpan()];
                    var fresh = LogSegment.Create(_fs, Directory, offset, _config, NowMs);
                    _segments = new SegmentList([fresh]);
                    Volatile.Write(ref _logStartOffset, offset);
                }
                else
                {
                    removed = segments.AsSpan()[(index + 1)..].ToArray();
                    var bytes = segments[index].TruncateTo(offset);
                    _segments = segments.Take(index + 1);
                    Log.Truncated(_logger, TopicPartition.Topic, TopicPartition.Partition, segments[index].NextOffset, bytes);
                }

                foreach (var segment in removed)
                {
                    segment.RenameForDeletion();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failure = ex;
                removed = [];
            }

            newEnd = _segments.Active.NextOffset;
            _truncations++;
            _directoryDirty = true;
            Volatile.Write(ref _logEndOffset, newEnd);
            Volatile.Write(ref _highWatermark, Math.Min(_highWatermark, newEnd));
            UpdateLastStableOffsetLocked();
            Volatile.Write(ref _recoveryPoint, Math.Min(_recoveryPoint, newEnd));
            if (_logStartOffset > newEnd)
            {
                Volatile.Write(ref _logStartOffset, newEnd);
            }

            if (failure is null)
            {
                // Kafka rebuilds producer state after truncation too: the removed batches' sequences are
                // gone, and a snapshot a roll captured may describe them. The replay also rewrites the
                // aborted-transaction entries from the snapshot on, so they are flushed again: the
                // recovery point goes back to where the rewrite started.
                _pendingSnapshot = null;
                try
                {
                    var replayedFrom = RebuildProducerStateLocked(newEnd);
                    Volatile.Write(ref _recoveryPoint, Math.Min(_recoveryPoint, replayedFrom));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    failure = ex;
                }
            }
        }

        // The removed segments are renamed and out of the list even when the rebuild after them failed.
        ScheduleDeletion(removed);
        if (failure is not null)
        {
            MarkOffline(failure);
            throw new LogOfflineException(TopicPartition, failure);
        }

        FailFlushWaiters(new InvalidOperationException($"{TopicPartition} was truncated to offset {newEnd}."), newEnd);
        return true;
    }

    /// <summary>Why segments are deleted (logged by name).</summary>
    private enum RetentionKind
    {
        RetentionMs,
        RetentionBytes,
        LogStartOffset,
    }

    private int DeleteOldSegments(RetentionKind kind, long nowMs, LogConfig config)
    {
        if (!_segmentRewriteGate.Wait(0))
        {
            // The cleaner is rewriting segments; the next retention check deletes these.
            return 0;
        }

        try
        {
            return DeleteOldSegmentsUngated(kind, nowMs, config);
        }
        finally
        {
            _segmentRewriteGate.Release();
        }
    }

    private int DeleteOldSegmentsUngated(RetentionKind kind, long nowMs, LogConfig config)
    {
        LogSegment[] deletable;
        Exception? failure = null;
        long newStart;
        lock (_lock)
        {
            if (Volatile.Read(ref _closed) != 0 || IsOffline)
            {
                return 0;
            }

            var segments = _segments;
            var count = CountDeletableLocked(segments, kind, nowMs, config);
            if (count == 0)
            {
                return 0;
            }

            deletable = segments.AsSpan()[..count].ToArray();
            try
            {
                if (count == segments.Count)
                {
                    // Kafka rolls before deleting the active segment, so one (empty) segment remains.
                    RollLocked(nowMs, config);
                    segments = _segments;
                }

                _segments = segments.RemoveFirst(count);
                foreach (var segment in deletable)
                {
                    segment.RenameForDeletion();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failure = ex;
            }

            newStart = Math.Max(_logStartOffset, _segments.First.BaseOffset);
            Volatile.Write(ref _logStartOffset, newStart);
            _aborted.RemoveBelow(newStart);
            UpdateLastStableOffsetLocked();

            // Deleted offsets need no flushing; keep the recovery point within the log.
            if (_recoveryPoint < _segments.First.BaseOffset)
            {
                Volatile.Write(ref _recoveryPoint, _segments.First.BaseOffset);
            }
        }

        if (failure is not null)
        {
            MarkOffline(failure);
            throw new LogOfflineException(TopicPartition, failure);
        }

        Log.DeletedSegments(_logger, TopicPartition.Topic, TopicPartition.Partition, deletable.Length, kind, newStart);
        ScheduleDeletion(deletable);

        // Snapshots of deleted segments describe batches no longer in the log; a roll above (the
        // active segment went too) captured one at the new start. Best effort, as every snapshot.
        try
        {
            foreach (var offset in ProducerStateSnapshot.List(_fs, Directory))
            {
                if (offset < newStart)
                {
                    TryDeleteSnapshot(offset);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SnapshotFailed(_logger, TopicPartition.Topic, TopicPartition.Partition, newStart, ex);
        }

        WritePendingSnapshot();
        return deletable.Length;
    }

    /// <summary>
    /// Kafka's <c>deletableSegments</c>: the length of the prefix of segments that match the
    /// predicate, lie entirely below the high watermark, and are not the last segment while empty.
    /// </summary>
    private int CountDeletableLocked(SegmentList segments, RetentionKind kind, long nowMs, LogConfig config)
    {
        var sizeOverLimit = kind == RetentionKind.RetentionBytes ? segments.TotalSize() - config.RetentionBytes : 0;
        var count = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var next = i + 1 < segments.Count ? segments[i + 1] : null;
            var upperBound = next?.BaseOffset ?? _logEndOffset;
            if (next is null && segment.Size == 0)
            {
                break;
            }

            if (_highWatermark < upperBound)
            {
                break;
            }

            bool matches;
            switch (kind)
            {
                case RetentionKind.RetentionMs:
                    matches = nowMs - segment.LargestTimestamp > config.RetentionMs;
                    break;
                case RetentionKind.RetentionBytes:
                    matches = sizeOverLimit - segment.Size >= 0;
                    if (matches)
                    {
                        sizeOverLimit -= segment.Size;
                    }

                    break;
                default:
                    matches = next is not null && next.BaseOffset <= _logStartOffset;
                    break;
            }

            if (!matches)
            {
                break;
            }

            count++;
        }

        return count;
    }

    /// <summary>
    /// Deletes the (already renamed) files after <c>file.delete.delay.ms</c> on a one-shot timer, so
    /// reads that started before the deletion finish on the still-open handles.
    /// </summary>
    private void ScheduleDeletion(LogSegment[] segments)
    {
        if (segments.Length == 0)
        {
            return;
        }

        var delay = _config.FileDeleteDelayMs;
        if (delay <= 0)
        {
            DeleteSegmentFiles(segments);
            return;
        }

        lock (_pendingDeletions)
        {
            if (Volatile.Read(ref _closed) == 2)
            {
                foreach (var segment in segments)
                {
                    segment.Dispose();
                }

                return;
            }

            var timer = _time.CreateTimer(static state =>
            {
                var (log, batch) = ((PartitionLog, LogSegment[]))state!;
                log.OnDeletionTimer(batch);
            }, (this, segments), TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan);
            _pendingDeletions.Add((timer, segments));
        }
    }

    private void OnDeletionTimer(LogSegment[] segments)
    {
        lock (_pendingDeletions)
        {
            var index = _pendingDeletions.FindIndex(p => ReferenceEquals(p.Segments, segments));
            if (index < 0)
            {
                return; // Closed meanwhile: the next startup removes the files.
            }

            _pendingDeletions[index].Timer.Dispose();
            _pendingDeletions.RemoveAt(index);
        }

        DeleteSegmentFiles(segments);
    }

    private void DeleteSegmentFiles(LogSegment[] segments)
    {
        foreach (var segment in segments)
        {
            try
            {
                segment.DeleteFiles();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.SegmentDeletionFailed(_logger, TopicPartition.Topic, TopicPartition.Partition, segment.BaseOffset, ex);
            }
        }
    }

    /// <summary>Segment batches still waiting for their delayed file deletion (for tests and metrics).</summary>
    internal int PendingDeletionCount
    {
        get
        {
            lock (_pendingDeletions)
            {
                return _pendingDeletions.Count;
            }
        }
    }
}
