using Runnel.Storage.Cleaner;

namespace Runnel.Storage.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Kafka's "cleaning in progress / paused" state as one gate: held by the cleaner for a whole clean
    /// and by segment deletion (retention, DeleteRecords) for its rename, so the two never rewrite the
    /// same segments at once. Without it a crash could leave a durable <c>.swap</c> that covers
    /// segments retention had deleted, and recovery would bring their (compacted) records back.
    /// Deletion only tries it: while the cleaner holds it, segments wait for the next retention check.
    /// </summary>
    private readonly SemaphoreSlim _segmentRewriteGate = new(1, 1);
    private readonly CancellationTokenSource _cleaningAbort = new();

    /// <summary>Fires when <see cref="StopCleaningAsync"/> is called; a running clean stops at its next read.</summary>
    internal CancellationToken CleaningAborted => _cleaningAbort.Token;

    /// <summary>Whether the cleaner is working on this log now.</summary>
    public bool IsBeingCleaned => _segmentRewriteGate.CurrentCount == 0 && !_cleaningAbort.IsCancellationRequested;

    /// <summary>Takes the gate for one clean without waiting; false when the log is busy, stopped, closed or offline.</summary>
    internal bool TryBeginCleaning()
    {
        if (_cleaningAbort.IsCancellationRequested || Volatile.Read(ref _closed) != 0 || IsOffline)
        {
            return false;
        }

        if (!_segmentRewriteGate.Wait(0))
        {
            return false;
        }

        // StopCleaningAsync may have cancelled, taken and released the gate between the check above
        // and the Wait: looked at again while holding the gate, it cannot change underneath.
        if (_cleaningAbort.IsCancellationRequested || Volatile.Read(ref _closed) != 0 || IsOffline)
        {
            _segmentRewriteGate.Release();
            return false;
        }

        return true;
    }

    internal void EndCleaning() => _segmentRewriteGate.Release();

    /// <summary>
    /// Kafka's <c>abortAndPauseCleaning</c> before a log is deleted or closed: aborts a running clean,
    /// waits until it has let go of the log, and keeps the cleaner away for good.
    /// </summary>
    public async Task StopCleaningAsync()
    {
        await _cleaningAbort.CancelAsync().ConfigureAwait(false);
        await _segmentRewriteGate.WaitAsync().ConfigureAwait(false);
        _segmentRewriteGate.Release();
    }

    /// <summary>
    /// The segments the cleaner may touch and the last stable offset it must stay below (Kafka's
    /// <c>LogCleanerManager</c> bound: an open transaction's batches are left alone until decided),
    /// read together under the append lock.
    /// </summary>
    internal (SegmentList Segments, long LastStableOffset, long LogStartOffset) SnapshotForCleaning()
    {
        ThrowIfUnusable(forAppend: false);
        lock (_lock)
        {
            return (_segments, _lastStableOffset, _logStartOffset);
        }
    }

    /// <summary>
    /// Kafka's <c>collectAbortedTransactions(from, to)</c> for the cleaner: every aborted transaction
    /// whose marker is at or after <paramref name="from"/> and whose first offset is below
    /// <paramref name="to"/>, in marker order. Entries at or above the log start offset come from
    /// memory; those below it were dropped from memory when it moved, but their data and markers stay
    /// in the log until retention deletes the segment, so they are read from the <c>.txnindex</c>
    /// files of the inactive segments that start below the log start offset.
    /// </summary>
    internal List<AbortedTransaction> AbortedTransactionsForCleaning(long from, long to)
    {
        var result = new List<AbortedTransaction>();
        SegmentList segments;
        long logStartOffset;
        lock (_lock)
        {
            segments = _segments;
            logStartOffset = _logStartOffset;
            _aborted.CollectOverlapping(Math.Max(from, logStartOffset), to, result);
        }

        if (from >= logStartOffset)
        {
            return result;
        }

        var belowLogStart = new List<AbortedTransaction>();
        var fromFiles = new List<AbortedTransaction>();
        for (var i = 0; i < segments.Count - 1 && segments[i].BaseOffset < logStartOffset; i++)
        {
            fromFiles.Clear();
            segments[i].TransactionIndex.ReadAll(fromFiles);
            foreach (var entry in fromFiles)
            {
                if (entry.LastOffset >= from && entry.LastOffset < logStartOffset && entry.FirstOffset < to)
                {
                    belowLogStart.Add(entry);
                }
            }
        }

        belowLogStart.AddRange(result);
        return belowLogStart;
    }

    /// <summary>
    /// Replaces the consecutive <paramref name="group"/> of inactive segments with
    /// <paramref name="cleaned"/> (written with <see cref="LogSegment.CleanedSuffix"/> names, fsynced,
    /// same base offset as the group's first segment, its <c>.txnindex</c> holding
    /// <paramref name="retainedAborts"/>, which replace the group's entries in memory), following Kafka's
    /// <c>LocalLog.replaceSegments</c>: <c>.cleaned</c> → <c>.swap</c> and a directory fsync (from
    /// here recovery completes the swap), then under the append lock the old segments are renamed
    /// <c>.deleted</c>, the <c>.swap</c> files get their final names and the new segment list is
    /// published; the old files go after <c>file.delete.delay.ms</c>, so reads holding them finish.
    /// </summary>
    /// <returns>
    /// False, with the cleaned files removed, when the group is no longer in the log (retention or
    /// truncation got there first). Throws <see cref="LogOfflineException"/> after an I/O failure
    /// (the log goes offline; the next open finishes or discards the swap).
    /// </returns>
    internal bool ReplaceWithCleanedSegment(LogSegment[] group, LogSegment cleaned, ReadOnlySpan<AbortedTransaction> retainedAborts)
    {
        ThrowIfUnusable(forAppend: false);
        Exception? failure = null;
        var replaced = false;
        try
        {
            cleaned.RenameFiles(LogSegment.CleanedSuffix, LogSegment.SwapSuffix);
            _fs.SyncDirectory(Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex;
        }

        if (failure is null)
        {
            lock (_lock)
            {
                var segments = _segments;
                var index = IndexOfGroupLocked(segments, group);
                if (index >= 0 && Volatile.Read(ref _closed) == 0 && !IsOffline)
                {
                    try
                    {
                        foreach (var segment in group)
                        {
                            segment.RenameForDeletion();
                        }

                        cleaned.RenameFiles(LogSegment.SwapSuffix, string.Empty);
                        _segments = segments.Replace(index, group.Length, cleaned);

                        // The in-memory list follows the cleaned .txnindex, as it follows every file.
                        _aborted.ReplaceRange(Math.Max(group[0].BaseOffset, _logStartOffset), group[^1].NextOffset, retainedAborts);
                        _directoryDirty = true;
                        replaced = true;
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        failure = ex;
                    }
                }
            }
        }

        if (failure is not null)
        {
            MarkOffline(failure);
            cleaned.Dispose();
            throw new LogOfflineException(TopicPartition, failure);
        }

        if (!replaced)
        {
            LogCleaner.DiscardCleanedSegment(_fs, cleaned, LogSegment.SwapSuffix);
            return false;
        }

        try
        {
            _fs.SyncDirectory(Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            MarkOffline(ex);
            throw new LogOfflineException(TopicPartition, ex);
        }

        ScheduleDeletion(group);
        return true;
    }

    /// <summary>Where <paramref name="group"/> sits, unchanged and not including the active segment, in <paramref name="segments"/>; -1 if not.</summary>
    private static int IndexOfGroupLocked(SegmentList segments, LogSegment[] group)
    {
        var index = segments.Floor(group[0].BaseOffset);
        if (index < 0 || index + group.Length >= segments.Count)
        {
            return -1;
        }

        for (var i = 0; i < group.Length; i++)
        {
            if (!ReferenceEquals(segments[index + i], group[i]))
            {
                return -1;
            }
        }

        return index;
    }
}
