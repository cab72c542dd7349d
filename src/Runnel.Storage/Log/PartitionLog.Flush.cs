using System.Buffers;

namespace Runnel.Storage.Log;

public sealed partial class PartitionLog
{
    /// <summary>Recycled waiters kept per log: enough for the produce requests of many connections in flight.</summary>
    private const int FlushWaiterPoolSize = 64;

    private readonly Lock _flushStateLock = new();
    private readonly List<FlushWaiter> _flushWaiters = [];
    private readonly Stack<FlushWaiter> _flushWaiterPool = new();

    /// <summary>Serializes flush rounds (held across fsync, never together with <c>_lock</c>).</summary>
    private readonly SemaphoreSlim _flushMutex = new(1, 1);
    private bool _flusherRunning;

    /// <summary><see cref="RunFlusher"/>, made once (a turn is queued per flush round).</summary>
    private Action? _runFlusher;
    private bool _flushRequested;
    private long _lastFlushMs;

    /// <summary>
    /// Completes when every record up to and including <paramref name="offset"/> is fsynced (group
    /// commit): waiters register the offset they need, one background flusher fsyncs the segments
    /// with unflushed data once, advances <see cref="RecoveryPoint"/> to the log end offset it saw,
    /// and completes every waiter below it; waiters that arrived during that fsync are served by the
    /// next one. So one fsync covers every batch appended before it, across producers.
    /// </summary>
    /// <param name="offset">Usually <see cref="LogAppendResult.LastOffset"/>; must be below <see cref="LogEndOffset"/>.</param>
    /// <param name="cancellationToken">Stops waiting (the flush itself goes on).</param>
    /// <exception cref="LogOfflineException">The fsync (or an earlier write) failed: the records must not be acknowledged.</exception>
    public ValueTask WaitForFlushAsync(long offset, CancellationToken cancellationToken = default)
    {
        if (offset < RecoveryPoint)
        {
            return ValueTask.CompletedTask;
        }

        if (IsOffline)
        {
            return ValueTask.FromException(new LogOfflineException(TopicPartition, _offlineCause));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, LogEndOffset);

        // A recycled waiter (FlushWaiter): its continuation (the produce response, sent to its
        // socket) runs on the flush thread that completes it, outside every lock, instead of waking
        // a pool thread for it (see CompleteFlushWaiters). Failures are handed to the pool.
        FlushWaiter waiter;
        lock (_flushStateLock)
        {
            if (offset < RecoveryPoint)
            {
                return ValueTask.CompletedTask;
            }

            try
            {
                ThrowIfUnusable(forAppend: false);
            }
            catch (Exception unusable) when (unusable is LogOfflineException or ObjectDisposedException)
            {
                return ValueTask.FromException(unusable); // as from an async method: the caller's await throws
            }

            waiter = _flushWaiterPool.TryPop(out var recycled) ? recycled : new FlushWaiter(this);
            waiter.Arm(offset);
            _flushWaiters.Add(waiter);
            StartFlusherLocked();
        }

        return waiter.Start(cancellationToken);
    }

    /// <summary>Takes back a waiter whose result was read (<see cref="FlushWaiter.GetResult"/>).</summary>
    internal void ReturnFlushWaiter(FlushWaiter waiter)
    {
        lock (_flushStateLock)
        {
            if (_flushWaiterPool.Count < FlushWaiterPoolSize)
            {
                _flushWaiterPool.Push(waiter);
            }
        }
    }

    /// <summary>Asks the background flusher to fsync everything appended so far, without waiting.</summary>
    public void RequestFlush()
    {
        lock (_flushStateLock)
        {
            if (IsOffline || Volatile.Read(ref _closed) == 2)
            {
                return;
            }

            _flushRequested = true;
            StartFlusherLocked();
        }
    }

    /// <summary>
    /// <c>flush.ms</c>: requests a background flush when the last one is older than the setting and
    /// there is something to flush. Called by the log manager's flush scheduler. Returns whether it did.
    /// </summary>
    public bool FlushIfDue(DateTimeOffset now)
    {
        var flushMs = _config.FlushMs;
        if (flushMs == long.MaxValue || LogEndOffset <= RecoveryPoint || IsOffline)
        {
            return false;
        }

        if (now.ToUnixTimeMilliseconds() - Volatile.Read(ref _lastFlushMs) < flushMs)
        {
            return false;
        }

        RequestFlush();
        return true;
    }

    /// <summary>
    /// fsyncs everything appended so far (log data, the indexes of inactive segments, and new directory
    /// entries), advances <see cref="RecoveryPoint"/> and completes the waiters it covers. Throws
    /// <see cref="LogOfflineException"/> if an fsync fails (the log is then offline).
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(forAppend: false);
        await _flushMutex.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            FlushRound();
        }
        finally
        {
            _flushMutex.Release();
        }

        CompleteFlushWaiters();
    }

    /// <summary>The synchronous <see cref="FlushAsync"/> of the flusher threads.</summary>
    private void Flush()
    {
        ThrowIfUnusable(forAppend: false);
        _flushMutex.Wait();
        try
        {
            FlushRound();
        }
        finally
        {
            _flushMutex.Release();
        }

        CompleteFlushWaiters();
    }

    private void StartFlusherLocked()
    {
        if (!_flusherRunning)
        {
            _flusherRunning = true;
            FlushThreads.Run(_runFlusher ??= RunFlusher);
        }
    }

    /// <summary>
    /// One flush round on a <see cref="FlushThreads"/> thread, queued again while anyone waits: a
    /// partition under constant load takes its turn with the others instead of keeping a thread.
    /// </summary>
    private void RunFlusher()
    {
        lock (_flushStateLock)
        {
            if (IsOffline || Volatile.Read(ref _closed) == 2 || (_flushWaiters.Count == 0 && !_flushRequested))
            {
                _flusherRunning = false;
                return;
            }

            _flushRequested = false;
        }

        try
        {
            Flush();
        }
        catch (LogOfflineException)
        {
            // MarkOffline already failed the waiters.
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile: CloseAsync/CloseWithoutFlush fail the waiters.
        }
        catch (Exception ex)
        {
            // A bug, not a disk error; still never leave waiters hanging or acknowledge blindly.
            MarkOffline(ex);
        }

        // Another turn only for those who came during this round: a partition under constant load
        // takes its turns with the others instead of keeping a thread, an idle one stops here.
        lock (_flushStateLock)
        {
            if (_flushWaiters.Count == 0 && !_flushRequested)
            {
                _flusherRunning = false;
                return;
            }
        }

        FlushThreads.Run(_runFlusher!);
    }

    /// <summary>One flush round; caller holds <see cref="_flushMutex"/>.</summary>
    private void FlushRound()
    {
        long target;
        long truncations;
        SegmentList segments;
        bool syncDirectory;
        lock (_lock)
        {
            target = _logEndOffset;
            segments = _segments;
            syncDirectory = _directoryDirty;
            _directoryDirty = false;
            truncations = _truncations;
        }

        var active = segments.Active;
        // From the segment before the one holding the recovery point: a segment flushed to its end
        // and then rolled still has its final time-index entry to make durable.
        var first = Math.Max(0, segments.Floor(RecoveryPoint) - 1);
        try
        {
            for (var i = first; i < segments.Count; i++)
            {
                var segment = segments[i];
                if (segment.IsDeleted)
                {
                    continue;
                }

                try
                {
                    segment.FlushLog();
                    if (!ReferenceEquals(segment, active))
                    {
                        // An inactive segment's indexes are final: make them durable before the
                        // recovery point passes the segment, so recovery may skip it.
                        segment.FlushIndexes();
                    }
                }
                catch (ObjectDisposedException) when (segment.IsDeleted)
                {
                    // Deleted by retention meanwhile; nothing to make durable.
                }
            }

            if (syncDirectory)
            {
                _fs.SyncDirectory(Directory);
            }
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _closed) == 2)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Never acknowledge after a failed fsync: the page cache may have dropped the dirty pages
            // (Linux marks them clean after reporting the error once), so a retry could "succeed"
            // without the data. Fail-stop instead.
            MarkOffline(ex);
            throw new LogOfflineException(TopicPartition, ex);
        }

        lock (_lock)
        {
            // A truncation during the round may have removed offsets below the target.
            if (_truncations == truncations && target > _recoveryPoint)
            {
                Volatile.Write(ref _recoveryPoint, target);
            }
        }

        Volatile.Write(ref _lastFlushMs, NowMs);
        Log.Flushed(_logger, TopicPartition.Topic, TopicPartition.Partition, target);
    }

    /// <summary>
    /// Completes the waiters the recovery point now covers. Their continuations run here, on the
    /// flushing thread, after the lock is released: answering a waiter costs the flush thread a
    /// response send, where a thread-pool hand-off cost a wake-up of another thread (on two busy
    /// cores, 5–30 % of the broker's CPU under fsync per small request; bench/RESULTS.md, session 13).
    /// </summary>
    private void CompleteFlushWaiters()
    {
        FlushWaiter[]? done = null;
        var count = 0;
        lock (_flushStateLock)
        {
            var recoveryPoint = RecoveryPoint;
            var kept = 0;
            for (var i = 0; i < _flushWaiters.Count; i++)
            {
                var waiter = _flushWaiters[i];
                if (waiter.Offset < recoveryPoint)
                {
                    done ??= ArrayPool<FlushWaiter>.Shared.Rent(_flushWaiters.Count);
                    done[count++] = waiter;
                }
                else
                {
                    _flushWaiters[kept++] = waiter;
                }
            }

            _flushWaiters.RemoveRange(kept, _flushWaiters.Count - kept);
        }

        if (done is null)
        {
            return;
        }

        for (var i = 0; i < count; i++)
        {
            done[i].TryComplete();
        }

        ArrayPool<FlushWaiter>.Shared.Return(done, clearArray: true);
    }

    /// <summary>
    /// Fails the waiters at or above <paramref name="fromOffset"/>. Callers may hold the log's lock
    /// (an append that takes the log offline, a truncation), so the continuations go to the thread
    /// pool rather than running here.
    /// </summary>
    private void FailFlushWaiters(Exception exception, long fromOffset = long.MinValue)
    {
        lock (_flushStateLock)
        {
            var kept = 0;
            for (var i = 0; i < _flushWaiters.Count; i++)
            {
                var waiter = _flushWaiters[i];
                if (waiter.Offset >= fromOffset)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(
                        static state => state.Waiter.TryComplete(state.Exception), (Waiter: waiter, Exception: exception), preferLocal: false);
                }
                else
                {
                    _flushWaiters[kept++] = waiter;
                }
            }

            _flushWaiters.RemoveRange(kept, _flushWaiters.Count - kept);
        }
    }
}
