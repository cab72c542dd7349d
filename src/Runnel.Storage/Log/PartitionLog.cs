using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Runnel.Storage.IO;
using Runnel.Storage.Producers;
using Runnel.Storage.Recovery;

namespace Runnel.Storage.Log;

/// <summary>
/// The log of one partition (Kafka's <c>UnifiedLog</c> + <c>LocalLog</c>): a directory
/// <c>&lt;log.dir&gt;/&lt;topic&gt;-&lt;partition&gt;/</c> of segments, with the offsets Kafka
/// distinguishes: <see cref="LogStartOffset"/> ≤ <see cref="HighWatermark"/> ≤
/// <see cref="LogEndOffset"/>, and <see cref="RecoveryPoint"/> (everything below it is fsynced).
/// </summary>
/// <remarks>
/// <para>Lifecycle: <see cref="Open"/> (runs recovery) → appends and reads → <see cref="CloseAsync"/>
/// (flushes) or <see cref="Delete"/>. A failed write or fsync takes the log offline for good
/// (fail-stop): every later append, read and flush waiter throws <see cref="LogOfflineException"/>.</para>
/// <para>Concurrency: appends, rolls, truncation and segment deletion take one short per-partition
/// lock (<c>_lock</c>), as Kafka's <c>UnifiedLog.append</c> does. Under it the batches are written
/// with one positional write into the page cache; fsync never happens under it (the group-commit
/// flusher does it, see <c>PartitionLog.Flush.cs</c>). Reads take no lock: they use the immutable
/// <see cref="SegmentList"/> snapshot and each segment's published size, and are bounded by the
/// log end offset they read first. Lock order: <c>_lock</c> before <c>_flushStateLock</c>; the
/// flush mutex is never taken while holding either.</para>
/// <para>Seams: compaction swaps cleaned segments in by publishing a new <see cref="SegmentList"/>
/// (<see cref="ReplaceWithCleanedSegment"/>); replication will move the high watermark through
/// <see cref="UpdateHighWatermark"/> and truncate divergent tails with <see cref="TruncateTo"/>.</para>
/// <para>Transactions: the producer state (<c>&lt;offset&gt;.snapshot</c> files, replayed at open and
/// after truncation) gives the last stable offset; every ABORT marker adds an entry to its segment's
/// <c>.txnindex</c> and to the in-memory list read_committed fetches use
/// (<c>PartitionLog.AbortedTransactions.cs</c>).</para>
/// </remarks>
public sealed partial class PartitionLog
{
    private readonly Lock _lock = new();
    private readonly ProducerStateManager _producers = new();
    private (long Offset, List<ProducerStateEntry> Entries, long Truncations)? _pendingSnapshot;
    private readonly IFileSystem _fs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile SegmentList _segments;
    private volatile LogConfig _config;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _highWatermark;
    private long _lastStableOffset;
    private long _recoveryPoint;
    private int _offline;
    private Exception? _offlineCause;
    /// <summary>0 open, 1 closing (no more appends), 2 closed (no reads either).</summary>
    private int _closed;
    private bool _directoryDirty;
    private long _truncations;

    private PartitionLog(TopicPartition topicPartition, string directory, LogConfig config, IFileSystem fs, TimeProvider time, ILogger logger, LoadedLog loaded)
    {
        TopicPartition = topicPartition;
        Directory = directory;
        _config = config;
        _fs = fs;
        _time = time;
        _logger = logger;
        _segments = loaded.Segments;
        _logStartOffset = loaded.LogStartOffset;
        _logEndOffset = loaded.LogEndOffset;
        _highWatermark = loaded.LogEndOffset;
        _recoveryPoint = loaded.RecoveryPoint;
        _lastFlushMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        _aborted = new AbortedTransactionList(loaded.AbortedTransactions);
        RebuildProducerStateLocked(loaded.TransactionIndexValidBelow);
        _aborted.RemoveBelow(_logStartOffset);

        // The replay may have rewritten .txnindex files below the recovery point (the log end offset
        // now): make them durable before the log is used, as recovery does for the segments.
        foreach (var segment in _segments.AsSpan())
        {
            segment.TransactionIndex.Flush();
        }

        if (_directoryDirty)
        {
            fs.SyncDirectory(directory);
            _directoryDirty = false;
        }
    }

    /// <summary>Kafka's <c>lastStableOffset</c>: min(first unstable offset, raised to the log start; high watermark).</summary>
    private void UpdateLastStableOffsetLocked()
    {
        var stable = _highWatermark;
        if (_producers.FirstUnstableOffset is long unstable)
        {
            stable = Math.Min(stable, Math.Max(unstable, _logStartOffset));
        }

        Volatile.Write(ref _lastStableOffset, stable);
    }

    /// <summary>A copy of every producer's state in this partition (DescribeProducers).</summary>
    public List<ProducerStateEntry> GetProducerStates()
    {
        ThrowIfUnusable(forAppend: false);
        lock (_lock)
        {
            return _producers.CopyEntries();
        }
    }

    /// <summary>One producer's state in this partition (tests).</summary>
    public ProducerStateEntry? GetProducerState(long producerId)
    {
        lock (_lock)
        {
            return _producers.Get(producerId);
        }
    }

    /// <summary>Each producer's last data offset and epoch (Kafka's <c>lastRecordsOfActiveProducers</c>): the cleaner keeps the batches that carry them.</summary>
    internal Dictionary<long, ProducerLastRecord> ProducerLastRecords()
    {
        lock (_lock)
        {
            return _producers.LastRecords();
        }
    }

    /// <summary>Kafka's <c>removeExpiredProducers</c>: forgets producers whose last batch is <paramref name="expirationMs"/> old or older.</summary>
    public int RemoveExpiredProducers(DateTimeOffset now, long expirationMs)
    {
        lock (_lock)
        {
            return _producers.RemoveExpired(now.ToUnixTimeMilliseconds(), expirationMs);
        }
    }

    /// <summary>
    /// Rebuilds the producer state and the aborted-transaction entries that follow from it: loads the
    /// newest readable snapshot at or below both the log end offset (snapshots above it describe
    /// batches recovery or truncation removed, and are deleted) and
    /// <paramref name="transactionIndexValidBelow"/>; drops every aborted-transaction entry whose
    /// marker is at or after the snapshot, from memory and from the <c>.txnindex</c> files; then
    /// replays the batch headers from there, which writes those entries again with the same last
    /// stable offsets the appends computed. Without a usable snapshot it replays from the first
    /// segment. Returns the offset the replay started at.
    /// </summary>
    /// <remarks>
    /// Entries below the replay start are trusted as the files hold them, so
    /// <paramref name="transactionIndexValidBelow"/> must be an offset below which every
    /// <c>.txnindex</c> entry is durable and undamaged (docs/formats/txn-index.md, "Crash
    /// consistency"): the log end offset at runtime, the first recovered or damaged segment at open.
    /// Throws <see cref="IOException"/> when a file cannot be read or written.
    /// </remarks>
    private long RebuildProducerStateLocked(long transactionIndexValidBelow)
    {
        _producers.Clear();
        var from = _segments.First.BaseOffset;
        var snapshots = ProducerStateSnapshot.List(_fs, Directory);
        for (var i = snapshots.Count - 1; i >= 0; i--)
        {
            var offset = snapshots[i];
            if (offset > _logEndOffset)
            {
                TryDeleteSnapshot(offset);
                continue;
            }

            // A newer snapshot stays on disk, but the replay must start where the entries can be trusted.
            if (offset >= from && offset <= transactionIndexValidBelow
                && ProducerStateSnapshot.TryRead(_fs, ProducerStateSnapshot.FilePath(Directory, offset)) is { } entries)
            {
                _producers.Load(entries);
                from = offset;
                break;
            }
        }

        _aborted.RemoveFrom(from);
        var rebuilt = new List<AbortedTransaction>();
        foreach (var segment in _segments.AsSpan())
        {
            if (segment.NextOffset <= from && segment.BaseOffset < from)
            {
                continue;
            }

            segment.TransactionIndex.TruncateTo(from);
            if (segment.NextOffset > from)
            {
                segment.ReplayProducerState(_producers, from, rebuilt);
                IndexAbortsLocked(segment, CollectionsMarshal.AsSpan(rebuilt));
                rebuilt.Clear();
            }
        }

        UpdateLastStableOffsetLocked();
        return from;
    }

    /// <summary>
    /// Writes the snapshot captured under the lock (at a roll or a clean close), then keeps only the
    /// newest two. Best effort: a failure costs a longer replay at the next open, never data.
    /// </summary>
    private void WriteProducerSnapshot(long offset, List<ProducerStateEntry> entries)
    {
        try
        {
            ProducerStateSnapshot.Write(_fs, Directory, offset, entries);
            var snapshots = ProducerStateSnapshot.List(_fs, Directory);
            for (var i = 0; i < snapshots.Count - 2; i++)
            {
                TryDeleteSnapshot(snapshots[i]);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SnapshotFailed(_logger, TopicPartition.Topic, TopicPartition.Partition, offset, ex);
        }
    }

    private void TryDeleteSnapshot(long offset)
    {
        try
        {
            _fs.DeleteFile(ProducerStateSnapshot.FilePath(Directory, offset));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SnapshotFailed(_logger, TopicPartition.Topic, TopicPartition.Partition, offset, ex);
        }
    }

    /// <summary>
    /// Opens (creating if needed) the log in <paramref name="directory"/> and recovers it: after an
    /// unclean shutdown every segment from the one containing <paramref name="recoveryPoint"/> is
    /// checked batch by batch and a torn or corrupt tail truncated; damaged indexes are rebuilt
    /// either way. Throws <see cref="IOException"/> when the directory cannot be read (the caller
    /// takes the log directory offline) and <see cref="CorruptLogException"/> for damage recovery
    /// must not repair (overlapping segments).
    /// </summary>
    /// <param name="tp">The partition.</param>
    /// <param name="directory">The partition directory, <c>&lt;log.dir&gt;/&lt;topic&gt;-&lt;partition&gt;</c>.</param>
    /// <param name="config">The topic's settings.</param>
    /// <param name="fs">File access (a fault-injecting one in tests).</param>
    /// <param name="time">The clock for roll, retention, LogAppendTime and delayed deletion.</param>
    /// <param name="loggers">Logger source.</param>
    /// <param name="recoveryPoint">From the recovery-point checkpoint: offsets below it were fsynced (0 if unknown).</param>
    /// <param name="logStartOffset">From the log-start-offset checkpoint (0 if unknown).</param>
    /// <param name="hadCleanShutdown">The clean-shutdown marker was present: skip recovery.</param>
    public static PartitionLog Open(
        TopicPartition tp, string directory, LogConfig config, IFileSystem fs, TimeProvider time, ILoggerFactory loggers,
        long recoveryPoint, long logStartOffset, bool hadCleanShutdown)
    {
        ArgumentNullException.ThrowIfNull(config);
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var loaded = LogLoader.Load(tp, directory, config, fs, nowMs, loggers.CreateLogger(typeof(LogLoader).FullName!),
            recoveryPoint, logStartOffset, hadCleanShutdown);
        try
        {
            return new PartitionLog(tp, directory, config, fs, time, loggers.CreateLogger<PartitionLog>(), loaded);
        }
        catch
        {
            // The replay of the producer state failed (I/O, corrupt batch): nobody else holds the files.
            foreach (var segment in loaded.Segments.AsSpan())
            {
                segment.Dispose();
            }

            throw;
        }
    }

    public TopicPartition TopicPartition { get; }

    /// <summary>The partition directory.</summary>
    public string Directory { get; }

    public LogConfig Config => _config;

    /// <summary>The first offset a consumer may fetch; moved by retention and DeleteRecords.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The offset the next appended record gets (LEO).</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>
    /// The offset up to which consumers may read. On one node it follows <see cref="LogEndOffset"/>
    /// after every append; replication will move it from the in-sync replicas' fetch positions.
    /// </summary>
    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>
    /// The last stable offset (Kafka's LSO): the first offset of the oldest open transaction, or the
    /// high watermark when none is open. read_committed consumers read up to it.
    /// </summary>
    public long LastStableOffset => Volatile.Read(ref _lastStableOffset);

    /// <summary>Every offset below this is fsynced (Kafka's recovery point; exclusive).</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>Bytes in all segments.</summary>
    public long SizeInBytes => _segments.TotalSize();

    public int SegmentCount => _segments.Count;

    /// <summary>True after a storage failure: nothing more is acknowledged.</summary>
    public bool IsOffline => Volatile.Read(ref _offline) != 0;

    /// <summary>
    /// Raised after each successful append, outside the append lock, on the appending thread, so the
    /// broker can complete long-polling fetches. Handlers must be quick and must not throw (exceptions
    /// are logged and swallowed).
    /// </summary>
    public event Action<PartitionLog>? Appended;

    /// <summary>Raised once when the log goes offline (the log manager takes the whole log directory offline).</summary>
    internal event Action<PartitionLog, Exception>? WentOffline;

    internal SegmentList Segments => _segments;

    /// <summary>Replaces the configuration. Index sizes apply to segments created from now on.</summary>
    public void UpdateConfig(LogConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
    }

    /// <summary>
    /// Moves the high watermark (never past the log end offset, never backwards). On one node the log
    /// calls it after each append; replication will call it when the in-sync replicas advance.
    /// </summary>
    public void UpdateHighWatermark(long offset)
    {
        lock (_lock)
        {
            var target = Math.Min(offset, _logEndOffset);
            if (target > _highWatermark)
            {
                Volatile.Write(ref _highWatermark, target);
                UpdateLastStableOffsetLocked();
            }
        }
    }

    /// <summary>
    /// Flushes everything, records the final time index entries and closes the files. Later calls to
    /// any method throw <see cref="ObjectDisposedException"/>. An offline log is closed without flushing.
    /// </summary>
    public async Task CloseAsync()
    {
        lock (_lock)
        {
            if (_closed != 0)
            {
                return;
            }

            Volatile.Write(ref _closed, 1);
            if (!IsOffline)
            {
                // No append can come now: the zeros ahead of the data go before the final flush.
                try
                {
                    _segments.Active.TrimPreallocation();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    MarkOffline(ex);
                }
            }
        }

        if (!IsOffline)
        {
            try
            {
                await FlushAsync().ConfigureAwait(false);
            }
            catch (LogOfflineException)
            {
                // Already logged when it went offline; close the handles anyway.
            }
        }

        if (!IsOffline)
        {
            // No more appends (closing): a snapshot at the log end lets the next open replay nothing.
            List<ProducerStateEntry> entries;
            long end;
            lock (_lock)
            {
                entries = _producers.CopyEntries();
                end = _logEndOffset;
            }

            WriteProducerSnapshot(end, entries);
        }

        await _flushMutex.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                if (_closed == 2)
                {
                    return;
                }

                Volatile.Write(ref _closed, 2);
                if (!IsOffline)
                {
                    try
                    {
                        _segments.Active.OnBecomeInactive();
                        foreach (var segment in _segments.AsSpan())
                        {
                            segment.FlushIndexes();
                        }
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        MarkOffline(ex);
                    }
                }

                DisposeSegmentsLocked();
            }
        }
        finally
        {
            _flushMutex.Release();
        }

        FailFlushWaiters(new ObjectDisposedException(ToString()));
    }

    /// <summary>
    /// Closes the files without flushing and deletes the partition directory now. Used for topic
    /// deletion when the caller does not want Kafka's rename-then-delete (the log manager renames
    /// the directory and deletes it in the background instead).
    /// </summary>
    public void Delete()
    {
        CloseWithoutFlush();
        _fs.DeleteDirectory(Directory, recursive: true);
    }

    /// <summary>Closes every file handle without flushing (before the directory is renamed for deletion).</summary>
    internal void CloseWithoutFlush()
    {
        lock (_lock)
        {
            if (Interlocked.Exchange(ref _closed, 2) == 2)
            {
                return;
            }

            DisposeSegmentsLocked();
        }

        FailFlushWaiters(new ObjectDisposedException(ToString()));
    }

    private void DisposeSegmentsLocked()
    {
        foreach (var segment in _segments.AsSpan())
        {
            segment.Dispose();
        }

        lock (_pendingDeletions)
        {
            foreach (var (timer, segments) in _pendingDeletions)
            {
                timer.Dispose();
                foreach (var segment in segments)
                {
                    // Renamed *.deleted files stay; the next Open removes them.
                    segment.Dispose();
                }
            }

            _pendingDeletions.Clear();
        }
    }

    /// <summary>
    /// Takes the log offline after a storage failure (fail-stop): logged at Error once, every flush
    /// waiter fails, and later appends, reads and waits throw <see cref="LogOfflineException"/>.
    /// </summary>
    internal void MarkOffline(Exception cause)
    {
        if (Interlocked.CompareExchange(ref _offlineCause, cause, null) is null)
        {
            Volatile.Write(ref _offline, 1);
            Log.WentOffline(_logger, TopicPartition.Topic, TopicPartition.Partition, LogEndOffset, RecoveryPoint, cause);
            FailFlushWaiters(new LogOfflineException(TopicPartition, cause));
            try
            {
                WentOffline?.Invoke(this, cause);
            }
            catch (Exception ex)
            {
                Log.HandlerFailed(_logger, TopicPartition.Topic, TopicPartition.Partition, nameof(WentOffline), ex);
            }
        }
    }

    /// <summary>Throws when offline, or when closed (<paramref name="forAppend"/>: also while closing).</summary>
    private void ThrowIfUnusable(bool forAppend)
    {
        if (Volatile.Read(ref _offline) != 0)
        {
            ThrowHelper.ThrowLogOffline(TopicPartition, _offlineCause);
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) >= (forAppend ? 1 : 2), this);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public override string ToString() => $"PartitionLog({TopicPartition})";

    private static partial class Log
    {
        [LoggerMessage(EventId = 1020, Level = LogLevel.Warning,
            Message = "Producer-state snapshot at offset {Offset} of {Topic}-{Partition} could not be written or removed; the next open replays more of the log")]
        public static partial void SnapshotFailed(ILogger logger, string topic, int partition, long offset, Exception exception);

        [LoggerMessage(EventId = 1000, Level = LogLevel.Debug,
            Message = "Rolled {Topic}-{Partition} to a new segment at offset {Offset}")]
        public static partial void Rolled(ILogger logger, string topic, int partition, long offset);

        [LoggerMessage(EventId = 1001, Level = LogLevel.Error,
            Message = "Log {Topic}-{Partition} is offline after a storage failure; nothing more will be acknowledged (log end offset {Offset}, recovery point {RecoveryPoint})")]
        public static partial void WentOffline(ILogger logger, string topic, int partition, long offset, long recoveryPoint, Exception exception);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
            Message = "Deleted {SegmentCount} segments of {Topic}-{Partition} ({Reason}); log start offset now {Offset}")]
        public static partial void DeletedSegments(ILogger logger, string topic, int partition, int segmentCount, RetentionKind reason, long offset);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
            Message = "Log start offset of {Topic}-{Partition} moved to {Offset} ({Reason})")]
        public static partial void LogStartOffsetMoved(ILogger logger, string topic, int partition, long offset, string reason);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
            Message = "Truncated {Topic}-{Partition} to offset {Offset}: {Bytes} bytes removed")]
        public static partial void Truncated(ILogger logger, string topic, int partition, long offset, long bytes);

        [LoggerMessage(EventId = 1005, Level = LogLevel.Warning,
            Message = "Could not delete the files of the segment at base offset {Segment} of {Topic}-{Partition}; the next startup removes them")]
        public static partial void SegmentDeletionFailed(ILogger logger, string topic, int partition, long segment, Exception exception);

        [LoggerMessage(EventId = 1006, Level = LogLevel.Error,
            Message = "A {Handler} handler of {Topic}-{Partition} threw")]
        public static partial void HandlerFailed(ILogger logger, string topic, int partition, string handler, Exception exception);

        [LoggerMessage(EventId = 1007, Level = LogLevel.Trace,
            Message = "Flushed {Topic}-{Partition} up to offset {Offset}")]
        public static partial void Flushed(ILogger logger, string topic, int partition, long offset);
    }
}
