using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Runnel.Storage.Checkpoints;
using Runnel.Storage.Log;
using Runnel.TestKit;

namespace Runnel.Storage.Tests.Log;

public sealed class LogManagerTests : IDisposable
{
    private readonly TempDirectory _temp = new("manager");
    private readonly FaultyFileSystem _fs = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public void Dispose() => _temp.Dispose();

    private string Dir(int i) => _temp.Combine($"dir{i}");

    private Task<LogManager> OpenAsync(int dirs = 1, LogManagerOptions? options = null) =>
        LogManager.OpenAsync([.. Enumerable.Range(0, dirs).Select(Dir)], options ?? new LogManagerOptions(), _fs, _time,
            NullLoggerFactory.Instance, TestContext.Current.CancellationToken);

    [Fact]
    public async Task CreateLog_returns_the_same_log_for_the_same_partition()
    {
        await using var manager = await OpenAsync();
        var tp = new TopicPartition("a", 0);

        var log = manager.CreateLog(tp, LogConfig.Default);

        Assert.Same(log, manager.CreateLog(tp, LogConfig.Default));
        Assert.Same(log, manager.GetLog(tp));
        Assert.Null(manager.GetLog(new TopicPartition("a", 1)));
        Assert.True(Directory.Exists(Path.Combine(Dir(0), "a-0")));
    }

    [Fact]
    public async Task New_partitions_go_to_the_directory_with_the_fewest()
    {
        await using var manager = await OpenAsync(dirs: 2);
        for (var i = 0; i < 4; i++)
        {
            manager.CreateLog(new TopicPartition("t", i), LogConfig.Default);
        }

        Assert.Equal(2, Directory.GetDirectories(Dir(0)).Length);
        Assert.Equal(2, Directory.GetDirectories(Dir(1)).Length);
    }

    [Fact]
    public async Task Clean_shutdown_writes_checkpoints_and_marker_and_restart_loads_every_log()
    {
        var manager = await OpenAsync();
        var log = manager.CreateLog(new TopicPartition("t", 0), LogConfig.Default);
        LogFixture.Append(log, records: 3);
        LogFixture.Append(log, records: 2);
        log.DeleteRecordsBefore(3);
        await manager.ShutdownAsync();

        Assert.True(File.Exists(Path.Combine(Dir(0), CleanShutdownMarker.FileName)));
        var recoveryPoints = OffsetCheckpointFile.Read(_fs, Path.Combine(Dir(0), OffsetCheckpointFile.RecoveryPointFileName));
        Assert.Equal(5, recoveryPoints![new TopicPartition("t", 0)]);

        await using var restarted = await OpenAsync();
        var reloaded = restarted.GetLog(new TopicPartition("t", 0))!;
        Assert.Equal(5, reloaded.LogEndOffset);
        Assert.Equal(3, reloaded.LogStartOffset);
        Assert.Equal(5, reloaded.RecoveryPoint);
        Assert.False(File.Exists(Path.Combine(Dir(0), CleanShutdownMarker.FileName)));
    }

    [Fact]
    public async Task The_marker_makes_restart_skip_recovery_and_its_absence_forces_it()
    {
        var tp = new TopicPartition("t", 0);
        var manager = await OpenAsync();
        var log = manager.CreateLog(tp, LogConfig.Default with { IndexIntervalBytes = 1 });
        for (var i = 0; i < 4; i++)
        {
            LogFixture.Append(log);
        }

        await manager.ShutdownAsync();

        // Damage the second batch where only a full recovery scan looks.
        var segment = Path.Combine(Dir(0), "t-0", "00000000000000000000.log");
        var bytes = File.ReadAllBytes(segment);
        bytes[TestBatches.Create().Length + 70] ^= 0xFF;
        File.WriteAllBytes(segment, bytes);

        var clean = await OpenAsync(options: new LogManagerOptions { DefaultLogConfig = LogConfig.Default with { IndexIntervalBytes = 1 } });
        Assert.Equal(4, clean.GetLog(tp)!.LogEndOffset);
        clean.GetLog(tp)!.CloseWithoutFlush(); // a crash: no marker written

        await using var unclean = await OpenAsync();
        Assert.Equal(1, unclean.GetLog(tp)!.LogEndOffset);
    }

    [Fact]
    public async Task Restart_after_a_crash_recovers_from_the_checkpointed_recovery_point()
    {
        var manager = await OpenAsync();
        var log = manager.CreateLog(new TopicPartition("t", 0), LogConfig.Default);
        LogFixture.Append(log, records: 3);
        await log.FlushAsync(TestContext.Current.CancellationToken);
        manager.WriteCheckpoints();
        LogFixture.Append(log, records: 4);

        _fs.Crash(); // no shutdown: no marker, unflushed records gone

        await using var restarted = await OpenAsync();
        Assert.Equal(3, restarted.GetLog(new TopicPartition("t", 0))!.LogEndOffset);
    }

    [Fact]
    public async Task DeleteLog_renames_the_directory_and_removes_it_after_the_delay()
    {
        await using var manager = await OpenAsync();
        var tp = new TopicPartition("gone", 2);
        var log = manager.CreateLog(tp, LogConfig.Default with { FileDeleteDelayMs = 60_000 });
        LogFixture.Append(log);

        Assert.True(await manager.DeleteLogAsync(tp));

        Assert.Null(manager.GetLog(tp));
        Assert.False(Directory.Exists(Path.Combine(Dir(0), "gone-2")));
        var renamed = Assert.Single(Directory.GetDirectories(Dir(0)));
        Assert.Matches(@"gone-2\.[0-9a-f]{32}-delete$", renamed);

        _time.Advance(TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => !Directory.Exists(renamed), "the renamed directory is removed");
        Assert.False(await manager.DeleteLogAsync(tp));
    }

    [Fact]
    public async Task Leftover_delete_directories_are_removed_at_startup()
    {
        var leftover = Path.Combine(Dir(0), "old-0.0123456789abcdef0123456789abcdef-delete");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "00000000000000000000.log"), "x");

        await using var manager = await OpenAsync();

        await Eventually.TrueAsync(() => !Directory.Exists(leftover), "the leftover is removed");
        Assert.Empty(manager.AllLogs);
    }

    [Fact]
    public async Task The_timer_enforces_retention_every_check_interval()
    {
        var options = new LogManagerOptions { RetentionCheckInterval = TimeSpan.FromMinutes(5) };
        await using var manager = await OpenAsync(options: options);
        var config = LogConfig.Default with { RetentionMs = 60_000, FileDeleteDelayMs = 0 };
        var log = manager.CreateLog(new TopicPartition("t", 0), config);
        LogFixture.Append(log, timestamp: _time.GetUtcNow().ToUnixTimeMilliseconds());

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(1, log.LogStartOffset);
    }

    [Fact]
    public async Task The_timer_writes_recovery_point_checkpoints()
    {
        await using var manager = await OpenAsync(options: new LogManagerOptions { CheckpointInterval = TimeSpan.FromSeconds(10) });
        var log = manager.CreateLog(new TopicPartition("t", 0), LogConfig.Default);
        LogFixture.Append(log, records: 2);
        await log.FlushAsync(TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromSeconds(10));

        var checkpoint = OffsetCheckpointFile.Read(_fs, Path.Combine(Dir(0), OffsetCheckpointFile.RecoveryPointFileName));
        Assert.Equal(2, checkpoint![new TopicPartition("t", 0)]);
    }

    [Fact]
    public async Task The_timer_flushes_logs_whose_flush_ms_passed()
    {
        await using var manager = await OpenAsync(options: new LogManagerOptions { FlushSchedulerInterval = TimeSpan.FromSeconds(1) });
        var log = manager.CreateLog(new TopicPartition("t", 0), LogConfig.Default with { FlushMs = 2_000 });
        LogFixture.Append(log);

        _time.Advance(TimeSpan.FromSeconds(2));

        await Eventually.TrueAsync(() => log.RecoveryPoint == 1, "flush.ms flushed the log");
    }

    [Fact]
    public async Task A_failed_fsync_takes_the_whole_log_directory_offline()
    {
        await using var manager = await OpenAsync(dirs: 2);
        var a = manager.CreateLog(new TopicPartition("t", 0), LogConfig.Default);
        var other = manager.CreateLog(new TopicPartition("t", 1), LogConfig.Default);
        var sibling = manager.CreateLog(new TopicPartition("t", 2), LogConfig.Default);
        Assert.Equal(manager.GetLogDir(a.TopicPartition), manager.GetLogDir(sibling.TopicPartition));
        LogFixture.Append(a);
        _fs.FailFsync(p => p.StartsWith(a.Directory, StringComparison.Ordinal));

        await Assert.ThrowsAsync<LogOfflineException>(() => a.FlushAsync(TestContext.Current.CancellationToken));

        Assert.True(sibling.IsOffline);
        Assert.False(other.IsOffline);
        Assert.Equal([manager.GetLogDir(a.TopicPartition)!], manager.OfflineLogDirs);
        var next = manager.CreateLog(new TopicPartition("t", 3), LogConfig.Default);
        Assert.Equal(manager.GetLogDir(other.TopicPartition), manager.GetLogDir(next.TopicPartition));
    }
}
