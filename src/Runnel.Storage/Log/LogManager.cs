using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Runnel.Storage.Checkpoints;
using Runnel.Storage.Cleaner;
using Runnel.Storage.IO;

namespace Runnel.Storage.Log;

/// <summary>
/// Owns the log directories (<c>log.dirs</c>) and every <see cref="PartitionLog"/> in them (Kafka's
/// <c>LogManager</c>): loads partition directories at startup using the checkpoints and the
/// clean-shutdown marker, creates and deletes logs, and runs the background work (retention,
/// <c>flush.ms</c>, checkpoints) from one <see cref="TimeProvider"/> timer.
/// </summary>
/// <remarks>
/// <para>Lifecycle: <see cref="OpenAsync"/> → use → <see cref="ShutdownAsync"/> (flush all, write
/// checkpoints, write the clean-shutdown marker per directory).</para>
/// <para>Failure: when a log goes offline (failed write or fsync) its whole directory is taken
/// offline (fail-stop, as Kafka does): every log in it goes offline, no checkpoints or marker are
/// written there, and new logs are created in other directories.</para>
/// <para>Concurrency: public methods are thread-safe. Creation and deletion are serialized by one
/// lock; the maintenance tick runs on the timer thread and skips a tick if the previous one is still
/// running.</para>
/// </remarks>
public sealed partial class LogManager : IAsyncDisposable
{
    private const string DeleteDirSuffix = "-delete";

    private readonly IFileSystem _fs;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly LogManagerOptions _options;
    private readonly List<LogDir> _dirs;
    private readonly ConcurrentDictionary<TopicPartition, (PartitionLog Log, LogDir Dir)> _logs = new();
    private readonly Lock _createLock = new();
    private readonly Lock _tickLock = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<Task> _backgroundDeletes = [];
    private ITimer? _timer;
    private LogCleanerService? _cleaner;

    /// <summary>Serialises cleaner replacement (dynamic reconfiguration) with itself and with shutdown.</summary>
    private readonly SemaphoreSlim _cleanerSwap = new(1, 1);
    private DateTimeOffset _nextRetention;
    private DateTimeOffset _nextFlushCheck;
    private DateTimeOffset _nextRecoveryPointCheckpoint;
    private DateTimeOffset _nextLogStartOffsetCheckpoint;
    private DateTimeOffset _nextProducerExpiration;
    private long _producerIdExpirationMs;
    private int _shutdownStarted;

    private sealed class LogDir(string path)
    {
        public string Path { get; } = path;

        public volatile bool Offline;

        /// <summary>Serializes checkpoint writes for this directory.</summary>
        public readonly Lock CheckpointLock = new();
    }

    private LogManager(IReadOnlyList<string> logDirs, LogManagerOptions options, IFileSystem fs, TimeProvider time, ILoggerFactory loggers)
    {
        _fs = fs;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<LogManager>();
        _options = options;
        _dirs = [.. logDirs.Select(d => new LogDir(Path.GetFullPath(d)))];
        _producerIdExpirationMs = (long)options.ProducerIdExpiration.TotalMilliseconds;
    }

    /// <summary><c>producer.id.expiration.ms</c>: a partition forgets a producer whose last batch is older (dynamic).</summary>
    public TimeSpan ProducerIdExpiration
    {
        get => TimeSpan.FromMilliseconds(Interlocked.Read(ref _producerIdExpirationMs));
        set => Interlocked.Exchange(ref _producerIdExpirationMs, (long)value.TotalMilliseconds);
    }

    /// <summary>
    /// Opens every log directory: creates missing ones, removes <c>*-delete</c> directories in the
    /// background, loads every <c>topic-partition</c> directory (recovering it unless the directory
    /// has the clean-shutdown marker), deletes the marker, and starts the maintenance timer. A
    /// directory that fails to load is taken offline and logged; the others keep working.
    /// </summary>
    public static async Task<LogManager> OpenAsync(
        IReadOnlyList<string> logDirs, LogManagerOptions options, IFileSystem fs, TimeProvider time, ILoggerFactory loggers,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(logDirs);
        ArgumentNullException.ThrowIfNull(options);
        if (logDirs.Count == 0)
        {
            throw new ArgumentException("At least one log directory is required.", nameof(logDirs));
        }

        var manager = new LogManager(logDirs, options, fs, time, loggers);
        foreach (var dir in manager._dirs)
        {
            await manager.LoadDirAsync(dir, cancellationToken).ConfigureAwait(false);
        }

        manager.StartTimer();
        if (options.Cleaner is { } cleanerOptions)
        {
            manager._cleaner = new LogCleanerService(cleanerOptions, () => manager.AllLogs, fs, time, loggers);
            manager._cleaner.Start();
        }

        return manager;
    }

    /// <summary>The log cleaner, or null when <c>log.cleaner.enable</c> is false.</summary>
    public LogCleanerService? Cleaner => Volatile.Read(ref _cleaner);

    /// <summary>
    /// Applies new cleaner settings (dynamic <c>log.cleaner.*</c> changes, as Kafka's
    /// <c>LogCleaner.reconfigure</c>): stops the running threads, aborting their cleans between two
    /// reads (the cleaner checkpoint keeps the progress), and starts new ones; null stops cleaning.
    /// </summary>
    public async Task ReconfigureCleanerAsync(CleanerOptions? options)
    {
        await _cleanerSwap.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _shutdownStarted) != 0, this);
            if (Interlocked.Exchange(ref _cleaner, null) is { } previous)
            {
                await previous.DisposeAsync().ConfigureAwait(false);
            }

            if (options is not null)
            {
                var replacement = new LogCleanerService(options, () => AllLogs, _fs, _time, _loggers);
                Volatile.Write(ref _cleaner, replacement);
                replacement.Start();
            }
        }
        finally
        {
            _cleanerSwap.Release();
        }
    }

    /// <summary>The log of <paramref name="topicPartition"/>, or null.</summary>
    public PartitionLog? GetLog(TopicPartition topicPartition) =>
        _logs.TryGetValue(topicPartition, out var entry) ? entry.Log : null;

    /// <summary>Every open log.</summary>
    /// <remarks>
    /// With no logs yet the dictionary's enumerator is not touched: its code, generic over
    /// <see cref="TopicPartition"/>, is compiled at first use (11 ms of a fresh broker's first start in a sampled trace).
    /// </remarks>
    public IEnumerable<PartitionLog> AllLogs => _logs.IsEmpty ? [] : _logs.Values.Select(e => e.Log);

    /// <summary>The log directories (full paths).</summary>
    public IReadOnlyList<string> LogDirs => [.. _dirs.Select(d => d.Path)];

    /// <summary>Directories taken offline after a storage failure.</summary>
    public IReadOnlyList<string> OfflineLogDirs => [.. _dirs.Where(d => d.Offline).Select(d => d.Path)];

    /// <summary>The directory holding <paramref name="topicPartition"/>'s log, or null.</summary>
    public string? GetLogDir(TopicPartition topicPartition) =>
        _logs.TryGetValue(topicPartition, out var entry) ? entry.Dir.Path : null;

    /// <summary>Every directory with its logs (DescribeLogDirs).</summary>
    public IReadOnlyList<LogDirDescription> DescribeLogDirs() =>
        [.. _dirs.Select(d => new LogDirDescription(d.Path, d.Offline, [.. _logs.Values.Where(e => e.Dir == d).Select(e => e.Log)]))];

    /// <summary>
    /// Returns the existing log, or creates an empty one in the online directory with the fewest
    /// partitions. Throws <see cref="LogOfflineException"/> when every directory is offline.
    /// </summary>
    public PartitionLog CreateLog(TopicPartition topicPartition, LogConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _shutdownStarted) != 0, this);
        lock (_createLock)
        {
            if (_logs.TryGetValue(topicPartition, out var existing))
            {
                return existing.Log;
            }

            LogDir? target = null;
            var fewest = int.MaxValue;
            foreach (var dir in _dirs)
            {
                if (dir.Offline)
                {
                    continue;
                }

                var count = _logs.Values.Count(e => e.Dir == dir);
                if (count < fewest)
                {
                    fewest = count;
                    target = dir;
                }
            }

            if (target is null)
            {
                throw new LogOfflineException($"Cannot create {topicPartition}: every log directory is offline.");
            }

            try
            {
                var log = PartitionLog.Open(topicPartition, Path.Combine(target.Path, topicPartition.ToString()), config, _fs, _time, _loggers,
                    recoveryPoint: 0, logStartOffset: 0, hadCleanShutdown: true);
                _fs.SyncDirectory(target.Path);
                Register(log, target);
                Log.CreatedLog(_logger, topicPartition.Topic, topicPartition.Partition, target.Path);
                return log;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TakeDirOffline(target, ex);
                throw new LogOfflineException($"Cannot create {topicPartition} in {target.Path}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>
    /// Topic deletion: forgets the log, closes its files, renames its directory to
    /// <c>&lt;topic&gt;-&lt;partition&gt;.&lt;uuid&gt;-delete</c> (durably) and removes it in the background after
    /// <c>file.delete.delay.ms</c> (or at the next startup, if the broker stops first). Returns false
    /// when there is no such log.
    /// </summary>
    public async Task<bool> DeleteLogAsync(TopicPartition topicPartition)
    {
        if (!_logs.TryGetValue(topicPartition, out var existing))
        {
            return false;
        }

        // Kafka's abortAndPauseCleaning: no clean may be swapping segments while the directory moves.
        await existing.Log.StopCleaningAsync().ConfigureAwait(false);
        await _cleanerSwap.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Cleaner is { } cleaner)
            {
                cleaner.Forget(existing.Log);
            }
            else
            {
                ForgetCleanerCheckpoint(existing);
            }
        }
        finally
        {
            _cleanerSwap.Release();
        }

        (PartitionLog Log, LogDir Dir) entry;
        string renamed;
        lock (_createLock)
        {
            if (!_logs.TryRemove(KeyValuePair.Create(topicPartition, existing)))
            {
                return false;
            }

            entry = existing;

            entry.Log.CloseWithoutFlush();
            renamed = Path.Combine(entry.Dir.Path, DeleteDirName(topicPartition));
            try
            {
                if (_fs.DirectoryExists(entry.Log.Directory))
                {
                    _fs.MoveDirectory(entry.Log.Directory, renamed);
                    _fs.SyncDirectory(entry.Dir.Path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TakeDirOffline(entry.Dir, ex);
                throw new LogOfflineException($"Cannot delete {topicPartition}: {ex.Message}", ex);
            }
        }

        Log.DeletedLog(_logger, topicPartition.Topic, topicPartition.Partition, renamed);
        var delay = TimeSpan.FromMilliseconds(Math.Max(0, entry.Log.Config.FileDeleteDelayMs));
        var task = DeleteDirectoryLaterAsync(renamed, delay);
        lock (_backgroundDeletes)
        {
            _backgroundDeletes.RemoveAll(t => t.IsCompleted);
            _backgroundDeletes.Add(task);
        }

        return true;
    }

    /// <summary>
    /// With the cleaner off, a deleted partition still leaves the checkpoint: a partition created later
    /// under the same name must not inherit "clean below N".
    /// </summary>
    private void ForgetCleanerCheckpoint((PartitionLog Log, LogDir Dir) entry)
    {
        try
        {
            new CleanerOffsetCheckpoint(_fs, entry.Dir.Path).Remove(entry.Log.TopicPartition);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.CheckpointUnreadable(_logger, Path.Combine(entry.Dir.Path, CleanerOffsetCheckpoint.FileName), ex);
        }
    }

    /// <summary>Kafka's <c>logDeleteDirName</c>: the topic is shortened so the name fits 255 bytes.</summary>
    private static string DeleteDirName(TopicPartition topicPartition)
    {
        var suffix = $"-{topicPartition.Partition}.{Guid.NewGuid():N}{DeleteDirSuffix}";
        var prefixLength = Math.Min(topicPartition.Topic.Length, 255 - suffix.Length);
        return topicPartition.Topic[..prefixLength] + suffix;
    }

    private async Task DeleteDirectoryLaterAsync(string path, TimeSpan delay)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, _shutdown.Token).ConfigureAwait(false);
            }
            else
            {
                await Task.Yield();
            }

            _fs.DeleteDirectory(path, recursive: true);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the next startup removes the directory.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DirectoryDeletionFailed(_logger, path, ex);
        }
    }

    /// <summary>Writes both checkpoint files of every online directory now (also done periodically).</summary>
    public void WriteCheckpoints()
    {
        foreach (var dir in _dirs)
        {
            WriteCheckpoint(dir, OffsetCheckpointFile.RecoveryPointFileName, static l => l.RecoveryPoint);
            WriteCheckpoint(dir, OffsetCheckpointFile.LogStartOffsetFileName, static l => l.LogStartOffset);
        }
    }

    /// <summary>
    /// Stops the timer, flushes and closes every log, writes the checkpoints (recovery point = log end
    /// offset after the flush) and, for each directory where all of that succeeded, the clean-shutdown marker.
    /// </summary>
    public async Task ShutdownAsync()
    {
        if (Interlocked.Exchange(ref _shutdownStarted, 1) != 0)
        {
            return;
        }

        // After a running reconfiguration: it either finished (its cleaner is stopped here) or sees
        // the shutdown flag and installs nothing.
        await _cleanerSwap.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Interlocked.Exchange(ref _cleaner, null) is { } cleaner)
            {
                await cleaner.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _cleanerSwap.Release();
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        lock (_tickLock)
        {
            // Waits for a running tick to finish.
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        Task[] deletes;
        lock (_backgroundDeletes)
        {
            deletes = [.. _backgroundDeletes];
        }

        await Task.WhenAll(deletes).ConfigureAwait(false);
        var entries = _logs.Values.ToList();
        await Task.WhenAll(entries.Select(async e =>
        {
            try
            {
                await e.Log.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.CloseFailed(_logger, e.Log.TopicPartition.Topic, e.Log.TopicPartition.Partition, ex);
                TakeDirOffline(e.Dir, ex);
            }
        })).ConfigureAwait(false);

        foreach (var dir in _dirs)
        {
            if (dir.Offline || entries.Any(e => e.Dir == dir && e.Log.IsOffline))
            {
                continue;
            }

            WriteCheckpoint(dir, OffsetCheckpointFile.RecoveryPointFileName, static l => l.RecoveryPoint);
            WriteCheckpoint(dir, OffsetCheckpointFile.LogStartOffsetFileName, static l => l.LogStartOffset);
            if (dir.Offline)
            {
                continue;
            }

            try
            {
                CleanShutdownMarker.Write(_fs, dir.Path);
                Log.ShutDownCleanly(_logger, dir.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TakeDirOffline(dir, ex);
            }
        }

        _logs.Clear();
        _shutdown.Dispose();
    }

    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    private async Task LoadDirAsync(LogDir dir, CancellationToken cancellationToken)
    {
        try
        {
            _fs.CreateDirectory(dir.Path);
            var hadCleanShutdown = CleanShutdownMarker.Exists(_fs, dir.Path);
            var recoveryPoints = ReadCheckpoint(dir, OffsetCheckpointFile.RecoveryPointFileName);
            var startOffsets = ReadCheckpoint(dir, OffsetCheckpointFile.LogStartOffsetFileName);
            var toLoad = new List<(TopicPartition Tp, string Path)>();
            foreach (var path in _fs.ListDirectories(dir.Path))
            {
                var name = Path.GetFileName(path);
                if (name.EndsWith(DeleteDirSuffix, StringComparison.Ordinal))
                {
                    var task = DeleteDirectoryLaterAsync(path, TimeSpan.Zero);
                    lock (_backgroundDeletes)
                    {
                        _backgroundDeletes.Add(task);
                    }
                }
                else if (TopicPartition.TryParseDirectoryName(name, out var tp))
                {
                    toLoad.Add((tp, path));
                }
                else
                {
                    Log.SkippedDirectory(_logger, path);
                }
            }

            var parallel = new ParallelOptions
            {
                MaxDegreeOfParallelism = Math.Max(1, _options.RecoveryThreadsPerDataDir),
                CancellationToken = cancellationToken,
            };

            // An empty directory (every embedded broker's first start) skips the parallel loop's
            // machinery, whose first use in a process costs several milliseconds.
            await (toLoad.Count == 0 ? Task.CompletedTask : Parallel.ForEachAsync(toLoad, parallel, (item, _) =>
            {
                var recoveryPoint = recoveryPoints.TryGetValue(item.Tp, out var rp) ? rp : 0;
                var logStartOffset = startOffsets.TryGetValue(item.Tp, out var lso) ? lso : 0;
                var log = PartitionLog.Open(item.Tp, item.Path, _options.DefaultLogConfig, _fs, _time, _loggers,
                    recoveryPoint, logStartOffset, hadCleanShutdown);
                if (!_logs.TryAdd(item.Tp, (log, dir)))
                {
                    log.CloseWithoutFlush();
                    throw new IOException($"{item.Tp} exists in more than one log directory (found again in {dir.Path}).");
                }

                log.WentOffline += (l, ex) => TakeDirOffline(dir, ex);
                return ValueTask.CompletedTask;
            })).ConfigureAwait(false);

            // From here on a crash must be detected as unclean.
            if (hadCleanShutdown)
            {
                CleanShutdownMarker.Delete(_fs, dir.Path);
            }

            Log.LoadedDir(_logger, dir.Path, toLoad.Count, hadCleanShutdown);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TakeDirOffline(dir, ex);
        }
    }

    private Dictionary<TopicPartition, long> ReadCheckpoint(LogDir dir, string fileName)
    {
        var path = Path.Combine(dir.Path, fileName);
        try
        {
            return OffsetCheckpointFile.Read(_fs, path) ?? [];
        }
        catch (InvalidDataException ex)
        {
            // Treated as missing: recovery points fall to 0 (full recovery, safe) and log start offsets
            // to the first segment (deleted records may reappear, none are lost).
            Log.CheckpointUnreadable(_logger, path, ex);
            return [];
        }
    }

    private void WriteCheckpoint(LogDir dir, string fileName, Func<PartitionLog, long> offset)
    {
        if (dir.Offline)
        {
            return;
        }

        lock (dir.CheckpointLock)
        {
            try
            {
                var offsets = _logs.Values
                    .Where(e => e.Dir == dir && !e.Log.IsOffline)
                    .Select(e => KeyValuePair.Create(e.Log.TopicPartition, offset(e.Log)));
                OffsetCheckpointFile.Write(_fs, Path.Combine(dir.Path, fileName), offsets);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TakeDirOffline(dir, ex);
            }
        }
    }

    private void Register(PartitionLog log, LogDir dir)
    {
        _logs[log.TopicPartition] = (log, dir);
        log.WentOffline += (l, ex) => TakeDirOffline(dir, ex);
    }

    private void TakeDirOffline(LogDir dir, Exception cause)
    {
        if (dir.Offline)
        {
            return;
        }

        dir.Offline = true;
        Log.LogDirOffline(_logger, dir.Path, cause);
        foreach (var (log, logDir) in _logs.Values)
        {
            if (logDir == dir)
            {
                log.MarkOffline(new LogOfflineException($"Log directory {dir.Path} is offline.", cause));
            }
        }
    }

    private void StartTimer()
    {
        var now = _time.GetUtcNow();
        var period = Timeout.InfiniteTimeSpan;
        Schedule(ref period, _options.RetentionCheckInterval, now, ref _nextRetention);
        Schedule(ref period, _options.FlushSchedulerInterval, now, ref _nextFlushCheck);
        Schedule(ref period, _options.CheckpointInterval, now, ref _nextRecoveryPointCheckpoint);
        Schedule(ref period, _options.LogStartOffsetCheckpointInterval, now, ref _nextLogStartOffsetCheckpoint);
        Schedule(ref period, _options.ProducerIdExpirationCheckInterval, now, ref _nextProducerExpiration);
        if (period == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        // One heartbeat for every background job: it ticks at the shortest interval and each job
        // checks its own due time.
        _timer = _time.CreateTimer(static state => ((LogManager)state!).Tick(), this, period, period);
    }

    /// <summary>Sets a job's first due time and keeps <paramref name="shortest"/> the shortest interval (infinite: none yet).</summary>
    private static void Schedule(ref TimeSpan shortest, TimeSpan interval, DateTimeOffset now, ref DateTimeOffset next)
    {
        if (interval <= TimeSpan.Zero || interval >= TimeSpan.FromDays(365))
        {
            next = DateTimeOffset.MaxValue;
            return;
        }

        next = now + interval;
        if (shortest == Timeout.InfiniteTimeSpan || interval < shortest)
        {
            shortest = interval;
        }
    }

    /// <summary>One maintenance tick: retention, producer-id expiry, flush.ms, checkpoints, each when due.</summary>
    internal void Tick()
    {
        if (!_tickLock.TryEnter())
        {
            return;
        }

        try
        {
            if (Volatile.Read(ref _shutdownStarted) != 0)
            {
                return;
            }

            var now = _time.GetUtcNow();
            if (now >= _nextRetention)
            {
                _nextRetention = now + _options.RetentionCheckInterval;
                foreach (var (log, _) in _logs.Values)
                {
                    try
                    {
                        log.EnforceRetention(now);
                    }
                    catch (Exception ex) when (ex is LogOfflineException or ObjectDisposedException)
                    {
                        // Offline logs are already reported; deleted ones are gone.
                    }
                }
            }

            if (now >= _nextProducerExpiration)
            {
                _nextProducerExpiration = now + _options.ProducerIdExpirationCheckInterval;
                var expirationMs = Interlocked.Read(ref _producerIdExpirationMs);
                foreach (var (log, _) in _logs.Values)
                {
                    log.RemoveExpiredProducers(now, expirationMs);
                }
            }

            if (now >= _nextFlushCheck)
            {
                _nextFlushCheck = now + _options.FlushSchedulerInterval;
                foreach (var (log, _) in _logs.Values)
                {
                    log.FlushIfDue(now);
                }
            }

            if (now >= _nextRecoveryPointCheckpoint)
            {
                _nextRecoveryPointCheckpoint = now + _options.CheckpointInterval;
                foreach (var dir in _dirs)
                {
                    WriteCheckpoint(dir, OffsetCheckpointFile.RecoveryPointFileName, static l => l.RecoveryPoint);
                }
            }

            if (now >= _nextLogStartOffsetCheckpoint)
            {
                _nextLogStartOffsetCheckpoint = now + _options.LogStartOffsetCheckpointInterval;
                foreach (var dir in _dirs)
                {
                    WriteCheckpoint(dir, OffsetCheckpointFile.LogStartOffsetFileName, static l => l.LogStartOffset);
                }
            }
        }
        catch (Exception ex)
        {
            Log.TickFailed(_logger, ex);
        }
        finally
        {
            _tickLock.Exit();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1200, Level = LogLevel.Information,
            Message = "Loaded {LogCount} logs from {LogDir} (clean shutdown: {CleanShutdown})")]
        public static partial void LoadedDir(ILogger logger, string logDir, int logCount, bool cleanShutdown);

        [LoggerMessage(EventId = 1201, Level = LogLevel.Error,
            Message = "Log directory {LogDir} is offline after a storage failure; its partitions accept no writes until restart")]
        public static partial void LogDirOffline(ILogger logger, string logDir, Exception exception);

        [LoggerMessage(EventId = 1202, Level = LogLevel.Warning,
            Message = "Checkpoint file {File} is unreadable and is ignored")]
        public static partial void CheckpointUnreadable(ILogger logger, string file, Exception exception);

        [LoggerMessage(EventId = 1203, Level = LogLevel.Information,
            Message = "Created log {Topic}-{Partition} in {LogDir}")]
        public static partial void CreatedLog(ILogger logger, string topic, int partition, string logDir);

        [LoggerMessage(EventId = 1204, Level = LogLevel.Information,
            Message = "Deleted log {Topic}-{Partition}: renamed to {Directory}, files removed in the background")]
        public static partial void DeletedLog(ILogger logger, string topic, int partition, string directory);

        [LoggerMessage(EventId = 1205, Level = LogLevel.Warning,
            Message = "Could not remove directory {Directory}; the next startup tries again")]
        public static partial void DirectoryDeletionFailed(ILogger logger, string directory, Exception exception);

        [LoggerMessage(EventId = 1206, Level = LogLevel.Error,
            Message = "Closing log {Topic}-{Partition} failed")]
        public static partial void CloseFailed(ILogger logger, string topic, int partition, Exception exception);

        [LoggerMessage(EventId = 1207, Level = LogLevel.Information,
            Message = "Log directory {LogDir} shut down cleanly")]
        public static partial void ShutDownCleanly(ILogger logger, string logDir);

        [LoggerMessage(EventId = 1208, Level = LogLevel.Debug,
            Message = "Skipped {Directory}: not a partition directory")]
        public static partial void SkippedDirectory(ILogger logger, string directory);

        [LoggerMessage(EventId = 1209, Level = LogLevel.Error,
            Message = "A log maintenance tick failed")]
        public static partial void TickFailed(ILogger logger, Exception exception);
    }
}
