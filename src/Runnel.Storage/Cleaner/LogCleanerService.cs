using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.Storage.Cleaner;

/// <summary>
/// The background side of compaction (Kafka's <c>LogCleaner</c> with its <c>CleanerThread</c>s and
/// <c>LogCleanerManager</c>): <c>log.cleaner.threads</c> dedicated threads, each with its own
/// <see cref="LogCleaner"/> and share of the dedupe buffer, repeatedly pick the filthiest compacted
/// log and clean it, or sleep <c>log.cleaner.backoff.ms</c> when none needs it.
/// </summary>
/// <remarks>
/// <para>Choice (Kafka's <c>grabFilthiestCompactedLog</c>): among compacted, online logs not being
/// cleaned and not marked uncleanable, those whose dirty ratio is above <c>min.cleanable.dirty.ratio</c>
/// or whose oldest dirty record is older than <c>max.compaction.lag.ms</c> (with cleanable bytes);
/// the highest ratio wins. When none qualifies, a log whose earliest kept tombstone has passed its
/// delete horizon gets a tombstone-only pass (KIP-534).</para>
/// <para>Exclusion: a thread owns a log through <see cref="PartitionLog.TryBeginCleaning"/>, the gate
/// segment deletion also takes; <see cref="PartitionLog.StopCleaningAsync"/> (log deletion) aborts a
/// running clean and waits for it. Errors: an offline log is skipped (the directory is already
/// reported); a corrupt batch or unexpected failure marks the partition uncleanable until restart,
/// as Kafka does, and the thread carries on with the others.</para>
/// </remarks>
public sealed partial class LogCleanerService : IAsyncDisposable
{
    private readonly CleanerOptions _options;
    private readonly Func<IEnumerable<PartitionLog>> _logs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CleanerCheckpoints _checkpoints;
    private readonly LogCleaner[] _cleaners;
    private readonly Thread[] _threads;
    private readonly TaskCompletionSource[] _exited;
    private readonly CancellationTokenSource _stop = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly ConcurrentDictionary<TopicPartition, PartitionState> _states = new();
    private readonly Lock _selectLock = new();
    private long _lastRunTimestamp;
    private double _maxDirtyRatio;
    private long _maxCompactionDelayMs;
    private double _maxBufferUtilization;
    private double _lastRecopyRatio;
    private double _maxCleanSeconds;
    private int _deadThreads;
    private int _started;
    private int _disposed;

    /// <summary>Threads are created here and started by <see cref="Start"/>; <paramref name="logs"/> is read afresh at every choice (the log manager's live set).</summary>
    public LogCleanerService(CleanerOptions options, Func<IEnumerable<PartitionLog>> logs, IFileSystem fs, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Threads);
        _options = options;
        _logs = logs;
        _time = time;
        _logger = loggers.CreateLogger<LogCleanerService>();
        _checkpoints = new CleanerCheckpoints(fs);
        var perThread = options with { DedupeBufferSize = options.DedupeBufferSize / options.Threads };
        _cleaners = new LogCleaner[options.Threads];
        _threads = new Thread[options.Threads];
        _exited = new TaskCompletionSource[options.Threads];
        for (var i = 0; i < options.Threads; i++)
        {
            _cleaners[i] = new LogCleaner(perThread, fs, loggers, _checkpoints);
            var index = i;
            _threads[i] = new Thread(() => Run(index)) { IsBackground = true, Name = $"log-cleaner-{i}" };
            _exited[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _lastRunTimestamp = time.GetTimestamp();
    }

    /// <summary>Checkpoints shared by the threads (tests and tools read them).</summary>
    public CleanerCheckpoints Checkpoints => _checkpoints;

    /// <summary>Highest dirty ratio seen at the last choice (Kafka's <c>max-dirty-percent</c> / 100).</summary>
    public double MaxDirtyRatio => Volatile.Read(ref _maxDirtyRatio);

    /// <summary>Longest a dirty record had waited past <c>max.compaction.lag.ms</c> at the last choice (Kafka's <c>max-compaction-delay-secs</c>, in ms).</summary>
    public long MaxCompactionDelayMs => Volatile.Read(ref _maxCompactionDelayMs);

    /// <summary>Highest fraction of a dedupe map filled by the last clean (Kafka's <c>max-buffer-utilization-percent</c> / 100).</summary>
    public double MaxBufferUtilization => Volatile.Read(ref _maxBufferUtilization);

    /// <summary>Bytes written over bytes read by the last clean (Kafka's <c>cleaner-recopy-percent</c> / 100).</summary>
    public double LastRecopyRatio => Volatile.Read(ref _lastRecopyRatio);

    /// <summary>Duration of the last clean (Kafka's <c>max-clean-time-secs</c>).</summary>
    public double MaxCleanSeconds => Volatile.Read(ref _maxCleanSeconds);

    /// <summary>Since a cleaner thread last finished a clean or found nothing to do (Kafka's <c>time-since-last-run-ms</c>).</summary>
    public TimeSpan TimeSinceLastRun => _time.GetElapsedTime(Interlocked.Read(ref _lastRunTimestamp));

    /// <summary>Threads that stopped on an unexpected error (Kafka's <c>DeadThreadCount</c>).</summary>
    public int DeadThreadCount => Volatile.Read(ref _deadThreads);

    /// <summary>Partitions skipped after a failed clean (Kafka's <c>uncleanable-partitions-count</c>).</summary>
    public int UncleanablePartitionCount
    {
        get
        {
            var count = 0;
            foreach (var state in _states.Values)
            {
                count += state.Uncleanable ? 1 : 0;
            }

            return count;
        }
    }

    public void Start()
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Ends one thread's back-off now (a log became compacted, a test wants a clean).</summary>
    public void Wake() => _wake.Set();

    /// <summary>The cleaner's view of <paramref name="log"/>, or null when it is not compacted or not readable.</summary>
    public CleanerPartitionStatus? Describe(PartitionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!log.Config.Compact)
        {
            return null;
        }

        CleanableRange range;
        try
        {
            range = LogCleaner.ComputeCleanableRange(log, _checkpoints.TryRead(log), _time.GetUtcNow());
        }
        catch (Exception ex) when (ex is LogOfflineException or ObjectDisposedException)
        {
            return null;
        }

        _states.TryGetValue(log.TopicPartition, out var state);
        return new CleanerPartitionStatus
        {
            TopicPartition = log.TopicPartition,
            FirstDirtyOffset = range.FirstDirtyOffset,
            FirstUncleanableOffset = range.FirstUncleanableOffset,
            DirtyRatio = range.DirtyRatio,
            CleanBytes = range.CleanBytes,
            CleanableBytes = range.CleanableBytes,
            LastRun = state?.LastRun,
            LastStats = state?.LastStats,
            TotalBytesRead = state?.TotalBytesRead ?? 0,
            TotalBytesWritten = state?.TotalBytesWritten ?? 0,
            Uncleanable = state?.Uncleanable ?? false,
            InProgress = log.IsBeingCleaned,
        };
    }

    /// <summary>
    /// Forgets a deleted log: its checkpoint entry and state. Call after
    /// <see cref="PartitionLog.StopCleaningAsync"/>, so no thread is cleaning it.
    /// </summary>
    public void Forget(PartitionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        _states.TryRemove(log.TopicPartition, out _);
        try
        {
            _checkpoints.For(log).Remove(log.TopicPartition);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A stale entry only makes a recreated partition of the same name start cleaning from its
            // log start offset, which the range clamps to anyway.
            Log.CheckpointWriteFailed(_logger, log.TopicPartition.Topic, log.TopicPartition.Partition, ex);
        }
    }

    /// <summary>Stops every thread, aborting running cleans between two reads, and waits for them.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _started) != 0)
        {
            await Task.WhenAll(_exited.Select(static e => e.Task)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _wake.Dispose();
    }

    /// <summary>Runs one choice and clean on the caller's thread (tests); true if a log was cleaned.</summary>
    internal bool CleanOnce(int thread = 0) => TryCleanFilthiestLog(_cleaners[thread], thread);

    private void Run(int index)
    {
        var cleaner = _cleaners[index];
        try
        {
            var waitHandles = new[] { _stop.Token.WaitHandle, _wake };
            while (!_stop.IsCancellationRequested)
            {
                if (!TryCleanFilthiestLog(cleaner, index))
                {
                    WaitHandle.WaitAny(waitHandles, _options.Backoff);
                }
            }
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _deadThreads);
            Log.ThreadDied(_logger, index, ex);
        }
        finally
        {
            _exited[index].TrySetResult();
        }
    }

    private bool TryCleanFilthiestLog(LogCleaner cleaner, int thread)
    {
        var now = _time.GetUtcNow();
        var choice = GrabFilthiestLog(now);
        if (choice is not { } chosen)
        {
            Interlocked.Exchange(ref _lastRunTimestamp, _time.GetTimestamp());
            return false;
        }

        var log = chosen.Log;
        var state = _states.GetOrAdd(log.TopicPartition, static _ => new PartitionState());
        var started = Stopwatch.GetTimestamp();
        try
        {
            var stats = chosen.Dirty
                ? cleaner.Clean(log, now, _stop.Token)
                : cleaner.RemoveExpiredTombstones(log, now, _stop.Token);
            var elapsed = Stopwatch.GetElapsedTime(started);
            state.Record(stats, _time.GetUtcNow(), keepHorizon: chosen.Dirty || stats.EarliestDeleteHorizonMs > now.ToUnixTimeMilliseconds());
            Volatile.Write(ref _maxCleanSeconds, elapsed.TotalSeconds);
            Volatile.Write(ref _maxBufferUtilization, cleaner.LastMapUtilization);
            Volatile.Write(ref _lastRecopyRatio, stats.BytesRead == 0 ? 0 : (double)stats.BytesWritten / stats.BytesRead);
            LogSummary(thread, log, stats, elapsed, cleaner.LastMapUtilization, chosen.Dirty);
        }
        catch (OperationCanceledException)
        {
            // Shutting down or the log is being deleted: the swaps made so far stand.
            Log.CleanAborted(_logger, log.TopicPartition.Topic, log.TopicPartition.Partition);
        }
        catch (Exception ex) when (ex is LogOfflineException or ObjectDisposedException)
        {
            // Already reported by the log manager (offline directory) or the log was closed.
        }
        catch (Exception ex) when (ex is (IOException and not CorruptLogException) or UnauthorizedAccessException)
        {
            // The cleaner checkpoint could not be written: the log directory's storage is failing.
            log.MarkOffline(ex);
        }
        catch (Exception ex)
        {
            state.Uncleanable = true;
            Log.MarkedUncleanable(_logger, log.TopicPartition.Topic, log.TopicPartition.Partition, ex);
        }
        finally
        {
            log.EndCleaning();
            Interlocked.Exchange(ref _lastRunTimestamp, _time.GetTimestamp());
        }

        return true;
    }

    /// <summary>Picks a log and takes its cleaning gate; null when none needs cleaning.</summary>
    private (PartitionLog Log, bool Dirty)? GrabFilthiestLog(DateTimeOffset now)
    {
        lock (_selectLock)
        {
            var candidates = new List<(PartitionLog Log, double Ratio)>();
            double maxRatio = 0;
            long maxDelay = 0;
            var nowMs = now.ToUnixTimeMilliseconds();
            foreach (var log in _logs())
            {
                var config = log.Config;
                if (!config.Compact || log.IsOffline || log.IsBeingCleaned || IsUncleanable(log))
                {
                    continue;
                }

                CleanableRange range;
                long delayMs;
                try
                {
                    range = LogCleaner.ComputeCleanableRange(log, _checkpoints.TryRead(log), now);
                    delayMs = CompactionDelayMs(log, range.FirstDirtyOffset, config, nowMs);
                }
                catch (Exception ex) when (ex is LogOfflineException or ObjectDisposedException)
                {
                    continue;
                }

                maxRatio = Math.Max(maxRatio, range.DirtyRatio);
                maxDelay = Math.Max(maxDelay, delayMs);
                if ((delayMs > 0 && range.CleanableBytes > 0) || (range.IsCleanable && range.DirtyRatio > config.MinCleanableDirtyRatio))
                {
                    candidates.Add((log, range.DirtyRatio));
                }
            }

            Volatile.Write(ref _maxDirtyRatio, maxRatio);
            Volatile.Write(ref _maxCompactionDelayMs, maxDelay);
            candidates.Sort(static (a, b) => b.Ratio.CompareTo(a.Ratio));
            foreach (var (log, _) in candidates)
            {
                if (log.TryBeginCleaning())
                {
                    return (log, true);
                }
            }

            foreach (var log in _logs())
            {
                if (log.Config.Compact && _states.TryGetValue(log.TopicPartition, out var state)
                    && state.EarliestDeleteHorizonMs is >= 0 and var horizon && horizon <= nowMs
                    && !state.Uncleanable && log.TryBeginCleaning())
                {
                    return (log, false);
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Kafka's <c>maxCompactionDelay</c>: how far past <c>max.compaction.lag.ms</c> the oldest first
    /// batch of a dirty inactive segment is (0 when none is, or no limit is set).
    /// </summary>
    private static long CompactionDelayMs(PartitionLog log, long firstDirtyOffset, LogConfig config, long nowMs)
    {
        if (config.MaxCompactionLagMs is <= 0 or long.MaxValue)
        {
            return 0;
        }

        var segments = log.SnapshotForCleaning().Segments;
        var earliest = long.MaxValue;
        for (var i = Math.Max(0, segments.Floor(firstDirtyOffset)); i < segments.Count - 1; i++)
        {
            var timestamp = segments[i].FirstBatchTimestamp;
            if (timestamp > 0)
            {
                earliest = Math.Min(earliest, timestamp);
            }
        }

        return earliest == long.MaxValue ? 0 : Math.Max(0, nowMs - earliest - config.MaxCompactionLagMs);
    }

    private bool IsUncleanable(PartitionLog log) => _states.TryGetValue(log.TopicPartition, out var state) && state.Uncleanable;

    private void LogSummary(int thread, PartitionLog log, CleanerStats stats, TimeSpan elapsed, double bufferUtilization, bool dirty)
    {
        if (!_logger.IsEnabled(LogLevel.Information) || (stats.SegmentsCleaned == 0 && stats.GroupsAbandoned == 0))
        {
            return;
        }

        const double MiB = 1024 * 1024;
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        Log.Cleaned(_logger, thread, log.TopicPartition.Topic, log.TopicPartition.Partition, dirty ? "dirty section" : "tombstones in",
            stats.FirstDirtyOffset, stats.NewFirstDirtyOffset, stats.Passes, stats.BytesRead / MiB, elapsed.TotalSeconds, stats.BytesRead / MiB / seconds,
            stats.RecordsRead, stats.RecordsKept, stats.BytesWritten / MiB, stats.BytesRead == 0 ? 0 : 100.0 * (stats.BytesRead - stats.BytesWritten) / stats.BytesRead,
            stats.SegmentsCleaned, 100 * bufferUtilization);
    }

    /// <summary>Per-partition history; fields are written by the one thread cleaning the partition.</summary>
    private sealed class PartitionState
    {
        private readonly Lock _lock = new();
        private CleanerStats? _lastStats;
        private DateTimeOffset? _lastRun;
        private long _totalRead;
        private long _totalWritten;

        public volatile bool Uncleanable;

        public long EarliestDeleteHorizonMs { get; private set; } = -1;

        public CleanerStats? LastStats
        {
            get
            {
                lock (_lock)
                {
                    return _lastStats;
                }
            }
        }

        public DateTimeOffset? LastRun
        {
            get
            {
                lock (_lock)
                {
                    return _lastRun;
                }
            }
        }

        public long TotalBytesRead => Interlocked.Read(ref _totalRead);

        public long TotalBytesWritten => Interlocked.Read(ref _totalWritten);

        /// <summary>Stores a finished clean; <paramref name="keepHorizon"/> is false after a tombstone pass that left an expired horizon behind (a group was abandoned), so the partition waits for its next dirty clean instead of being retried at once.</summary>
        public void Record(CleanerStats stats, DateTimeOffset finished, bool keepHorizon)
        {
            lock (_lock)
            {
                _lastStats = stats;
                _lastRun = finished;
                EarliestDeleteHorizonMs = keepHorizon ? stats.EarliestDeleteHorizonMs : -1;
            }

            Interlocked.Add(ref _totalRead, stats.BytesRead);
            Interlocked.Add(ref _totalWritten, stats.BytesWritten);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1310, Level = LogLevel.Information,
            Message = "Log cleaner thread {Thread} cleaned {Topic}-{Partition} ({What} [{FirstDirty}, {NewFirstDirty}), {Passes} passes): {MiBRead:F1} MiB read in {Seconds:F2} s ({MiBPerSecond:F1} MiB/s), {RecordsRead} records of which {RecordsKept} kept, {MiBWritten:F1} MiB written ({Reduction:F1}% smaller) in {Segments} segments, buffer utilization {Utilization:F1}%")]
        public static partial void Cleaned(ILogger logger, int thread, string topic, int partition, string what, long firstDirty, long newFirstDirty, int passes,
            double mibRead, double seconds, double mibPerSecond, long recordsRead, long recordsKept, double mibWritten, double reduction, int segments, double utilization);

        [LoggerMessage(EventId = 1311, Level = LogLevel.Information,
            Message = "Cleaning of {Topic}-{Partition} aborted (shutdown or deletion)")]
        public static partial void CleanAborted(ILogger logger, string topic, int partition);

        [LoggerMessage(EventId = 1312, Level = LogLevel.Error,
            Message = "Cleaning {Topic}-{Partition} failed; it is marked uncleanable and skipped until restart")]
        public static partial void MarkedUncleanable(ILogger logger, string topic, int partition, Exception exception);

        [LoggerMessage(EventId = 1313, Level = LogLevel.Error,
            Message = "Log cleaner thread {Thread} stopped on an unexpected error")]
        public static partial void ThreadDied(ILogger logger, int thread, Exception exception);

        [LoggerMessage(EventId = 1314, Level = LogLevel.Warning,
            Message = "Could not remove {Topic}-{Partition} from the cleaner checkpoint")]
        public static partial void CheckpointWriteFailed(ILogger logger, string topic, int partition, Exception exception);
    }
}
