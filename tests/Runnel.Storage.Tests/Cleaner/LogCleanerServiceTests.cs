using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Runnel.Protocol.Records;
using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;
using Runnel.TestKit;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>The cleaner's scheduling: which log it picks and when, the gate with retention and deletion, failures, the throttle.</summary>
public sealed class LogCleanerServiceTests : IAsyncDisposable
{
    private readonly LogFixture _fx = new();
    private readonly List<LogCleanerService> _services = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        _fx.Dispose();
    }

    private static LogConfig Compacted => LogConfig.Default with
    {
        Compact = true,
        RetentionMs = -1,
        FileDeleteDelayMs = 0,
        DeleteRetentionMs = 10_000,
        IndexIntervalBytes = 1,
    };

    private LogCleanerService NewService(Func<IEnumerable<PartitionLog>> logs, CleanerOptions? options = null)
    {
        var service = new LogCleanerService(options ?? CleanerOptions.Default with { DedupeBufferSize = 1 << 20, Backoff = TimeSpan.FromMilliseconds(20) },
            logs, _fx.Fs, _fx.Time, NullLoggerFactory.Instance);
        _services.Add(service);
        return service;
    }

    private PartitionLog OpenOther(LogConfig config) =>
        PartitionLog.Open(new TopicPartition("other", 0), _fx.Temp.Combine("other-0"), config, _fx.Fs, _fx.Time, NullLoggerFactory.Instance, 0, 0, hadCleanShutdown: true);

    /// <summary>One segment per key version (a roll after each), then one record in the active segment.</summary>
    private void FillVersions(PartitionLog log, int versions, string key = "k", long? timestamp = null)
    {
        for (var v = 0; v < versions; v++)
        {
            KeyedLog.Append(log, timestamp ?? _fx.NowMs, CompressionType.None, (key, $"v{v}"));
            log.Roll();
        }

        KeyedLog.Append(log, timestamp ?? _fx.NowMs, CompressionType.None, ("active", "x"));
    }

    [Fact]
    public void A_compacted_log_above_the_dirty_ratio_is_cleaned_and_then_left_alone()
    {
        var log = _fx.Open(Compacted);
        FillVersions(log, 4);
        var service = NewService(() => [log]);

        Assert.True(service.CleanOnce());

        Assert.Equal(4, service.Checkpoints.TryRead(log));
        Assert.Equal([("k", "v3"), ("active", "x")], KeyedLog.ReadAll(log).Records.Select(r => (r.Key, r.Value)));
        var status = service.Describe(log)!;
        Assert.Equal(4, status.FirstDirtyOffset);
        Assert.Equal(0, status.DirtyRatio);
        Assert.NotNull(status.LastRun);
        Assert.Equal(4, status.LastStats!.RecordsRead);
        Assert.True(status.TotalBytesRead > 0);
        Assert.False(service.CleanOnce());
    }

    [Fact]
    public void A_log_that_is_not_compacted_is_never_cleaned()
    {
        var log = _fx.Open(Compacted with { Compact = false });
        FillVersions(log, 4);
        var service = NewService(() => [log]);

        Assert.False(service.CleanOnce());
        Assert.Null(service.Checkpoints.TryRead(log));
        Assert.Null(service.Describe(log));
        Assert.Equal(5, KeyedLog.ReadAll(log).Records.Count);
    }

    [Fact]
    public void The_filthiest_log_is_cleaned_first()
    {
        var lightlyDirty = _fx.Open(Compacted);
        FillVersions(lightlyDirty, 2);
        var service = NewService(() => [lightlyDirty]);
        Assert.True(service.CleanOnce());
        // One clean segment and one dirty one: ratio about 0.5. The other log is all dirty.
        KeyedLog.Append(lightlyDirty, _fx.NowMs, CompressionType.None, ("k", "v9"));
        lightlyDirty.Roll();
        var filthy = OpenOther(Compacted with { MinCleanableDirtyRatio = 0.1 });
        FillVersions(filthy, 3);
        var both = NewService(() => [lightlyDirty, filthy]);
        var ratioBefore = both.Describe(lightlyDirty)!.DirtyRatio;

        Assert.True(both.CleanOnce());

        Assert.Equal(3, both.Checkpoints.TryRead(filthy));
        Assert.Equal(ratioBefore, both.Describe(lightlyDirty)!.DirtyRatio);
        Assert.Equal(1.0, both.MaxDirtyRatio);
    }

    [Fact]
    public void A_log_below_the_ratio_is_cleaned_once_its_oldest_dirty_record_passes_max_compaction_lag()
    {
        var log = _fx.Open(Compacted with { MaxCompactionLagMs = 60_000 });
        for (var k = 0; k < 20; k++)
        {
            KeyedLog.Append(log, _fx.NowMs, CompressionType.None, ($"key-{k}", "v0"));
        }

        log.Roll();
        KeyedLog.Append(log, _fx.NowMs, CompressionType.None, ("active", "x"));
        var service = NewService(() => [log]);
        Assert.True(service.CleanOnce());
        // A little dirt on a large clean section: below min.cleanable.dirty.ratio.
        KeyedLog.Append(log, _fx.NowMs, CompressionType.None, ("key-0", "v1"));
        log.Roll();
        KeyedLog.Append(log, _fx.NowMs, CompressionType.None, ("active", "y"));
        Assert.True(service.Describe(log)!.DirtyRatio < 0.5);

        Assert.False(service.CleanOnce());
        _fx.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(service.CleanOnce());
        _fx.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(service.CleanOnce());
        Assert.Equal(1_000, service.MaxCompactionDelayMs);

        Assert.Equal(["v1"], KeyedLog.ReadAll(log).Records.Where(r => r.Key == "key-0").Select(r => r.Value));
    }

    [Fact]
    public void A_kept_tombstone_is_removed_by_a_later_pass_once_its_delete_horizon_passes()
    {
        var log = _fx.Open(Compacted);
        KeyedLog.Append(log, _fx.NowMs, CompressionType.None, ("a", "1"), ("b", "1"));
        log.Roll();
        KeyedLog.Append(log, _fx.NowMs, CompressionType.None, ("a", null));
        log.Roll();
        KeyedLog.Append(log, _fx.NowMs, CompressionType.None, ("active", "x"));
        var service = NewService(() => [log]);

        Assert.True(service.CleanOnce());
        Assert.Contains(KeyedLog.ReadAll(log).Records, r => r.Key == "a" && r.Value is null);
        Assert.False(service.CleanOnce());

        _fx.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(service.CleanOnce());

        Assert.Equal([("b", "1"), ("active", "x")], KeyedLog.ReadAll(log).Records.Select(r => (r.Key, r.Value)));
        Assert.False(service.CleanOnce());
    }

    [Fact]
    public void A_corrupt_log_is_marked_uncleanable_and_the_others_are_still_cleaned()
    {
        var corrupt = _fx.Open(Compacted);
        FillVersions(corrupt, 3);
        var firstSegment = corrupt.Segments[0];
        using (var file = new FileStream(firstSegment.LogPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            // The last byte of the first batch: inside the record, covered by the CRC. Written behind
            // the log's back, as a failing disk would.
            file.Position = firstSegment.Size - 1;
            file.WriteByte(0x5A);
        }

        var healthy = OpenOther(Compacted);
        FillVersions(healthy, 2);

        var service = NewService(() => [corrupt, healthy]);

        Assert.True(service.CleanOnce());
        Assert.True(service.CleanOnce());

        Assert.True(service.Describe(corrupt)!.Uncleanable);
        Assert.Equal(1, service.UncleanablePartitionCount);
        Assert.Equal(2, service.Checkpoints.TryRead(healthy));
        Assert.False(service.CleanOnce());
        Assert.False(corrupt.IsOffline);
    }

    [Fact]
    public void Retention_skips_a_log_while_it_is_being_cleaned_and_deletes_afterwards()
    {
        var log = _fx.Open(Compacted with { RetentionMs = 1_000 });
        FillVersions(log, 3, timestamp: _fx.NowMs);
        _fx.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(log.TryBeginCleaning());
        Assert.True(log.IsBeingCleaned);
        Assert.Equal(0, log.EnforceRetention(_fx.Time.GetUtcNow()));
        Assert.Equal(0, log.LogStartOffset);
        log.EndCleaning();

        Assert.True(log.EnforceRetention(_fx.Time.GetUtcNow()) > 0);
        Assert.True(log.LogStartOffset > 0);
    }

    [Fact]
    public async Task Stopping_cleaning_aborts_a_running_clean_and_leaves_the_log_as_it_was()
    {
        var log = _fx.Open(Compacted);
        FillVersions(log, 4);
        var before = KeyedLog.ReadAll(log).Records;
        var throttle = new BlockingThrottle();
        var service = NewService(() => [log], CleanerOptions.Default with { DedupeBufferSize = 1 << 20, Throttle = throttle, Backoff = TimeSpan.FromMilliseconds(20) });
        service.Start();
        await throttle.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(log.IsBeingCleaned);

        await log.StopCleaningAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(log.IsBeingCleaned);
        Assert.False(log.TryBeginCleaning());
        Assert.Equal(before, KeyedLog.ReadAll(log).Records);
        Assert.Empty(Directory.GetFiles(log.Directory, "*" + LogSegment.CleanedSuffix));
        Assert.Null(service.Checkpoints.TryRead(log));
    }

    [Fact]
    public async Task Cleaner_threads_clean_in_the_background_and_stop_on_dispose()
    {
        var log = _fx.Open(Compacted);
        FillVersions(log, 5);
        var service = NewService(() => [log], CleanerOptions.Default with { DedupeBufferSize = 1 << 20, Threads = 2, Backoff = TimeSpan.FromMilliseconds(20) });

        service.Start();
        await Eventually.TrueAsync(() => service.Checkpoints.TryRead(log) == 5, "a cleaner thread cleans the log");
        await service.DisposeAsync();

        Assert.Equal(0, service.DeadThreadCount);
        Assert.Equal([("k", "v4"), ("active", "x")], KeyedLog.ReadAll(log).Records.Select(r => (r.Key, r.Value)));
    }

    [Fact]
    public async Task Deleting_a_log_while_it_is_being_cleaned_aborts_the_clean_and_keeps_the_directory_online()
    {
        var throttle = new BlockingThrottle();
        var options = new LogManagerOptions
        {
            Cleaner = CleanerOptions.Default with { DedupeBufferSize = 1 << 20, Throttle = throttle, Backoff = TimeSpan.FromMilliseconds(20) },
        };
        await using var manager = await LogManager.OpenAsync([_fx.Temp.Path], options, _fx.Fs, _fx.Time, NullLoggerFactory.Instance);
        var log = manager.CreateLog(LogFixture.Tp, Compacted);
        FillVersions(log, 3);
        var other = manager.CreateLog(new TopicPartition("other", 0), Compacted);
        await throttle.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(await manager.DeleteLogAsync(LogFixture.Tp));

        Assert.Empty(manager.OfflineLogDirs);
        Assert.False(other.IsOffline);
        Assert.Null(manager.GetLog(LogFixture.Tp));
        Assert.Null(manager.Cleaner!.Checkpoints.TryRead(log));
    }

    [Fact]
    public void The_throttle_makes_a_thread_wait_for_the_bytes_over_the_rate()
    {
        var time = new FakeTimeProvider();
        var throttle = new CleanerIoThrottle(1_000_000, time);

        throttle.OnBytes(100_000, CancellationToken.None);
        Assert.Equal(TimeSpan.FromMilliseconds(100), throttle.TimeWaited);

        // The fake clock stands still during real waits: move it past the wait, then 50 kB in the next
        // 100 ms is half the rate, no wait.
        time.Advance(TimeSpan.FromMilliseconds(200));
        throttle.OnBytes(50_000, CancellationToken.None);
        Assert.Equal(TimeSpan.FromMilliseconds(100), throttle.TimeWaited);

        // Idle time is no credit: after a second of nothing, a burst waits for its own bytes.
        time.Advance(TimeSpan.FromSeconds(1));
        throttle.OnBytes(0, CancellationToken.None);
        throttle.OnBytes(200_000, CancellationToken.None);
        Assert.Equal(TimeSpan.FromMilliseconds(300), throttle.TimeWaited);
    }

    [Fact]
    public void A_throttled_wait_ends_when_cancelled()
    {
        var throttle = new CleanerIoThrottle(1, new FakeTimeProvider());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => throttle.OnBytes(1_000_000, cancelled.Token));
    }

    /// <summary>Blocks the cleaner at its first read until the clean is cancelled.</summary>
    private sealed class BlockingThrottle : ICleanerThrottle
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnBytes(long bytes, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            cancellationToken.WaitHandle.WaitOne();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
