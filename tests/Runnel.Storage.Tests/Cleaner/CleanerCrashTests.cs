using Runnel.Protocol.Records;
using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;
using Runnel.TestKit;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>
/// Fails the clean at every file operation in turn (the .cleaned writes and fsyncs, each rename of
/// the swap protocol, the directory fsyncs, the deletions), then crashes (unfsynced bytes lost) and
/// reopens the log with recovery: no surviving record is lost, no offset appears twice, and no
/// .cleaned or .swap file remains.
/// </summary>
public sealed class CleanerCrashTests
{
    private static readonly LogConfig Config = LogConfig.Default with { FileDeleteDelayMs = 0, IndexIntervalBytes = 1 };

    private static async Task<(PartitionLog Log, List<StoredRecord> Appended)> BuildAsync(LogFixture fx)
    {
        var log = fx.Open(Config);
        var appended = new List<StoredRecord>();
        appended.AddRange(KeyedLog.Append(log, ("a", "1"), ("b", "1")));
        log.Roll();
        appended.AddRange(KeyedLog.Append(log, 1_000, CompressionType.Gzip, ("a", "2"), ("c", "1")));
        log.Roll();
        appended.AddRange(KeyedLog.Append(log, ("b", null), (null, "x")));
        log.Roll();
        appended.AddRange(KeyedLog.Append(log, ("a", "3")));
        await log.FlushAsync(TestContext.Current.CancellationToken);
        return (log, appended);
    }

    private static CleanerOptions Options => CleanerOptions.Default with { DedupeBufferSize = 1 << 16 };

    [Fact]
    public async Task A_crash_at_any_step_of_a_clean_leaves_a_log_with_every_surviving_record_once()
    {
        // Count the operations of an undisturbed clean.
        int operations;
        using (var fx = new LogFixture())
        {
            var (log, appended) = await BuildAsync(fx);
            (operations, var stats) = InterruptedClean.CountOperations(fx, log, Options);
            Assert.Equal(1, stats.SegmentsCleaned);
            KeyedLog.AssertCompacted(KeyedLog.ReadAll(log).Records, appended, stats.NewFirstDirtyOffset);
        }

        Assert.True(operations > 10, $"{operations} operations");
        for (var failAt = 0; failAt < operations; failAt++)
        {
            using var fx = new LogFixture();
            var (log, appended) = await BuildAsync(fx);
            InterruptedClean.Run(fx, log, Options, failAt);
            fx.Fs.Crash();
            var recovered = fx.Open(Config, recoveryPoint: 0, hadCleanShutdown: false);
            var records = KeyedLog.ReadAll(recovered).Records;
            KeyedLog.AssertCompacted(records, appended, cleanEnd: 0);
            Assert.Equal(appended[^1].Offset + 1, recovered.LogEndOffset);
            Assert.Empty(Directory.GetFiles(fx.LogDirectory, "*.cleaned"));
            Assert.Empty(Directory.GetFiles(fx.LogDirectory, "*.swap"));

            // Whatever state the crash left, the next clean finishes the job.
            var stats = new LogCleaner(Options, fx.Fs).Clean(recovered, (long?)null, fx.Time.GetUtcNow());
            KeyedLog.AssertCompacted(KeyedLog.ReadAll(recovered).Records, appended, stats.NewFirstDirtyOffset);
            await recovered.CloseAsync();
        }
    }

    [Fact]
    public async Task Recovery_completes_a_swap_whose_old_segments_were_partly_renamed()
    {
        using var fx = new LogFixture();
        var (log, appended) = await BuildAsync(fx);
        var renames = 0;

        // Stop right after the second old segment's files were renamed .deleted (3 swap renames, then
        // 3 files of the first old segment, then 3 of the second).
        fx.Fs.BeforeOperation = (operation, path) =>
        {
            if (operation == FileOperation.Move && ++renames == 10)
            {
                throw new IOException("Injected crash during the swap.");
            }
        };

        Assert.Throws<LogOfflineException>(() => new LogCleaner(Options, fx.Fs).Clean(log, (long?)null, fx.Time.GetUtcNow()));
        fx.Fs.BeforeOperation = null;
        Assert.Single(Directory.GetFiles(fx.LogDirectory, "*.log.swap"));
        fx.Fs.Crash();

        var recovered = fx.Open(Config, recoveryPoint: 0, hadCleanShutdown: false);

        var records = KeyedLog.ReadAll(recovered).Records;
        KeyedLog.AssertCompacted(records, appended, cleanEnd: 5);
        Assert.Equal(2, recovered.SegmentCount);
        Assert.Empty(Directory.GetFiles(fx.LogDirectory, "*.swap"));
        await recovered.CloseAsync();
    }
}
