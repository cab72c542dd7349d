using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Storage.Log;
using Runnel.TestKit;

namespace Runnel.Storage.Tests.Log;

public sealed class FlushTests : IDisposable
{
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task WaitForFlush_completes_after_an_fsync_and_advances_the_recovery_point()
    {
        var log = _fx.Open();
        var appended = LogFixture.Append(log, records: 3);
        Assert.Equal(0, log.RecoveryPoint);
        var before = _fx.Fs.FileSyncCount;

        await Eventually.WithinAsync(log.WaitForFlushAsync(appended.LastOffset).AsTask(), "flush");

        Assert.Equal(3, log.RecoveryPoint);
        Assert.True(_fx.Fs.FileSyncCount > before);
    }

    [Fact]
    public async Task WaitForFlush_of_an_already_flushed_offset_completes_synchronously()
    {
        var log = _fx.Open();
        var appended = LogFixture.Append(log);
        await log.FlushAsync(TestContext.Current.CancellationToken);

        var wait = log.WaitForFlushAsync(appended.LastOffset, TestContext.Current.CancellationToken);

        Assert.True(wait.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Group_commit_covers_many_concurrent_waiters_with_few_fsyncs()
    {
        var log = _fx.Open();
        var first = LogFixture.Append(log);
        var baseline = _fx.Fs.FileSyncCount;
        Task firstWait;
        var waits = new List<Task>();
        using (_fx.Fs.HoldFsyncs())
        {
            firstWait = log.WaitForFlushAsync(first.LastOffset).AsTask();
            await Eventually.TrueAsync(() => _fx.Fs.FsyncsWaiting == 1, "the flusher is inside its first fsync");

            // 100 producers append and wait while the first fsync is in progress.
            var producers = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
            {
                var appended = LogFixture.Append(log);
                await log.WaitForFlushAsync(appended.LastOffset);
            }));
            waits.AddRange(producers);
            await Eventually.TrueAsync(() => log.LogEndOffset == 101, "all producers appended");
        }

        await Eventually.WithinAsync(Task.WhenAll(waits.Append(firstWait)), "every waiter is flushed");

        Assert.Equal(101, log.RecoveryPoint);
        var fsyncs = _fx.Fs.FileSyncCount - baseline;
        Assert.InRange(fsyncs, 1, 4);
    }

    [Fact]
    public async Task Many_logs_under_constant_flush_load_all_get_their_turn_on_the_flush_threads()
    {
        // More busy logs than flush threads, each with a waiter arriving as soon as the last one
        // completes: a flusher that kept its thread while it had waiters would starve the rest.
        var logs = Enumerable.Range(0, 24)
            .Select(i => PartitionLog.Open(
                new TopicPartition("busy", i), _fx.Temp.Combine("busy-" + i), LogConfig.Default, _fx.Fs, _fx.Time, NullLoggerFactory.Instance, 0, 0, true))
            .ToList();
        try
        {
            var writers = logs.Select(log => Task.Run(async () =>
            {
                for (var i = 0; i < 30; i++)
                {
                    var appended = LogFixture.Append(log);
                    await log.WaitForFlushAsync(appended.LastOffset);
                }
            }));

            await Eventually.WithinAsync(Task.WhenAll(writers), "every log's waiters are flushed");

            Assert.All(logs, log => Assert.Equal(30, log.RecoveryPoint));
        }
        finally
        {
            foreach (var log in logs)
            {
                await log.CloseAsync();
            }
        }
    }

    [Fact]
    public async Task A_waiter_continues_on_the_flush_thread_and_may_append_and_wait_again_from_there()
    {
        var log = _fx.Open();
        var first = LogFixture.Append(log);
        string? continuedOn = null;

        // The continuation runs where the flush completes the waiter: on the flush thread, outside
        // the log's locks, so appending and waiting again from it must work.
        var second = log.WaitForFlushAsync(first.LastOffset, TestContext.Current.CancellationToken).AsTask().ContinueWith(
            _ =>
            {
                continuedOn = Thread.CurrentThread.Name;
                var again = LogFixture.Append(log);
                return log.WaitForFlushAsync(again.LastOffset).AsTask();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();

        await Eventually.WithinAsync(second, "the second flush");
        Assert.StartsWith("runnel-flush-", continuedOn, StringComparison.Ordinal);
        Assert.Equal(2, log.RecoveryPoint);
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_the_flush_still_completes_the_others()
    {
        var log = _fx.Open();
        var first = LogFixture.Append(log);
        using var cancel = new CancellationTokenSource();
        Task cancelled, other;
        using (_fx.Fs.HoldFsyncs())
        {
            cancelled = log.WaitForFlushAsync(first.LastOffset, cancel.Token).AsTask();
            other = log.WaitForFlushAsync(first.LastOffset, TestContext.Current.CancellationToken).AsTask();
            await Eventually.TrueAsync(() => _fx.Fs.FsyncsWaiting == 1, "the flusher is inside its fsync");

            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            Assert.False(other.IsCompleted);
        }

        await Eventually.WithinAsync(other, "the other waiter's flush");
        Assert.Equal(1, log.RecoveryPoint);
    }

    [Fact]
    public async Task A_recycled_waiter_is_not_reached_by_the_token_of_its_earlier_wait()
    {
        var log = _fx.Open();
        using var earlierToken = new CancellationTokenSource();
        await Eventually.WithinAsync(log.WaitForFlushAsync(LogFixture.Append(log).LastOffset, earlierToken.Token).AsTask(), "the first flush");

        // The next waits reuse the first one's waiter; cancelling the first wait's token now must not
        // complete them.
        var next = LogFixture.Append(log);
        ValueTask wait;
        using (_fx.Fs.HoldFsyncs())
        {
            wait = log.WaitForFlushAsync(next.LastOffset, TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => _fx.Fs.FsyncsWaiting == 1, "the flusher is inside its fsync");
            await earlierToken.CancelAsync();
            Assert.False(wait.IsCompleted);
        }

        await Eventually.WithinAsync(wait.AsTask(), "the second flush");
        Assert.Equal(2, log.RecoveryPoint);
    }

    [Fact]
    public async Task Waits_in_a_row_from_many_producers_each_complete_once_their_offset_is_flushed()
    {
        var log = _fx.Open();

        // Recycled waiters handed from one wait to the next, across producers and flush rounds.
        var producers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var appended = LogFixture.Append(log);
                await log.WaitForFlushAsync(appended.LastOffset);
                Assert.True(log.RecoveryPoint > appended.LastOffset);
            }
        }));

        await Eventually.WithinAsync(Task.WhenAll(producers), "every producer's waits");
        Assert.Equal(400, log.RecoveryPoint);
    }

    [Fact]
    public async Task Waiters_failed_under_the_log_lock_do_not_continue_inside_it()
    {
        var log = _fx.Open();
        var appended = LogFixture.Append(log);
        var failingThread = -1;
        var appendReturned = false;
        bool? ranInsideTheAppend = null;
        Task failed;
        using (_fx.Fs.HoldFsyncs())
        {
            failed = log.WaitForFlushAsync(appended.LastOffset, TestContext.Current.CancellationToken).AsTask().ContinueWith(
                _ => ranInsideTheAppend = Environment.CurrentManagedThreadId == Volatile.Read(ref failingThread) && !Volatile.Read(ref appendReturned),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            await Eventually.TrueAsync(() => _fx.Fs.FsyncsWaiting == 1, "the flusher is inside its fsync");

            // A failed append takes the log offline while it holds the log's lock: the waiter's
            // continuation must not run inside that append (on this thread, before it returns).
            _fx.Fs.DiskFull = true;
            Volatile.Write(ref failingThread, Environment.CurrentManagedThreadId);
            Assert.Throws<LogOfflineException>(() => LogFixture.Append(log));
            Volatile.Write(ref appendReturned, true);
            await Eventually.WithinAsync(failed, "the failed waiter's continuation");
        }

        Assert.False(ranInsideTheAppend);
    }

    [Fact]
    public async Task Failed_fsync_takes_the_log_offline_and_fails_the_waiter()
    {
        var log = _fx.Open();
        var appended = LogFixture.Append(log);
        _fx.Fs.FailFsync(p => p.EndsWith(".log", StringComparison.Ordinal));

        await Assert.ThrowsAsync<LogOfflineException>(async () => await log.WaitForFlushAsync(appended.LastOffset));

        Assert.True(log.IsOffline);
        Assert.Equal(0, log.RecoveryPoint);
    }

    [Fact]
    public async Task After_a_failed_fsync_appends_reads_and_waits_fail()
    {
        var log = _fx.Open();
        var appended = LogFixture.Append(log);
        _fx.Fs.FailFsync();
        await Assert.ThrowsAsync<LogOfflineException>(() => log.FlushAsync(TestContext.Current.CancellationToken));
        _fx.Fs.ClearFaults();

        Assert.Throws<LogOfflineException>(() => LogFixture.Append(log));
        Assert.Throws<LogOfflineException>(() => log.Read(0, 100, long.MaxValue, true));
        await Assert.ThrowsAsync<LogOfflineException>(async () => await log.WaitForFlushAsync(appended.LastOffset));
    }

    [Fact]
    public void Disk_full_write_failure_takes_the_log_offline_without_moving_the_log_end_offset()
    {
        var log = _fx.Open();
        LogFixture.Append(log);
        _fx.Fs.DiskFull = true;

        Assert.Throws<LogOfflineException>(() => LogFixture.Append(log));

        Assert.True(log.IsOffline);
        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public async Task Flush_messages_triggers_a_background_flush()
    {
        var log = _fx.Open(LogConfig.Default with { FlushMessages = 3 });
        LogFixture.Append(log, records: 2);
        Assert.Equal(0, log.RecoveryPoint);

        LogFixture.Append(log);

        await Eventually.TrueAsync(() => log.RecoveryPoint == 3, "flush.messages=3 flushed the log");
    }

    [Fact]
    public async Task Flush_ms_flushes_when_the_last_flush_is_old_enough()
    {
        var log = _fx.Open(LogConfig.Default with { FlushMs = 1_000 });
        LogFixture.Append(log);
        Assert.False(log.FlushIfDue(_fx.Time.GetUtcNow()));

        _fx.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(log.FlushIfDue(_fx.Time.GetUtcNow()));
        await Eventually.TrueAsync(() => log.RecoveryPoint == 1, "flush.ms flushed the log");
    }

    [Fact]
    public async Task A_roll_flushes_the_rolled_segment_in_the_background()
    {
        var log = _fx.Open(LogConfig.Default with { SegmentBytes = TestBatches.Create().Length + 1 });
        LogFixture.Append(log);

        LogFixture.Append(log);

        await Eventually.TrueAsync(() => log.RecoveryPoint >= 1, "the rolled segment was flushed");
    }

    [Fact]
    public async Task Close_flushes_everything()
    {
        var log = _fx.Open();
        LogFixture.Append(log, records: 4);

        await log.CloseAsync();

        Assert.Equal(4, log.RecoveryPoint);
        Assert.Throws<ObjectDisposedException>(() => LogFixture.Append(log));
    }
}
