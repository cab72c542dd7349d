using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;
using Runnel.Storage.Tests.Log;
using Scenario = Runnel.TestKit.AbortedTransactionsScenario;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>
/// Compaction keeps every aborted transaction (removing aborted data is a later step): the cleaned
/// segment's <c>.txnindex</c> holds the entries of the segments it replaces, written and swapped in
/// with its other files, and a failure at any step of the swap loses none.
/// </summary>
public sealed class CleanerTransactionIndexTests
{
    private static readonly LogConfig Config = LogConfig.Default with { Compact = true, FileDeleteDelayMs = 0, IndexIntervalBytes = 1 };

    private static CleanerOptions Options => CleanerOptions.Default with { DedupeBufferSize = 1 << 16 };

    /// <summary>The scenario in three inactive segments (0, 6, 13), and one record in the active segment 17.</summary>
    private static async Task<PartitionLog> BuildAsync(LogFixture fx)
    {
        var log = fx.Open(Config);
        ScenarioLog.AppendInThreeSegments(log, fx.NowMs);
        log.Roll();
        KeyedLog.Append(log, ("z", "1"));
        await log.FlushAsync(TestContext.Current.CancellationToken);
        return log;
    }

    [Fact]
    public async Task The_segment_that_replaces_three_holds_their_aborted_transactions()
    {
        using var fx = new LogFixture();
        var log = await BuildAsync(fx);

        var stats = new LogCleaner(Options, fx.Fs).Clean(log, (long?)null, fx.Time.GetUtcNow());

        Assert.Equal(1, stats.SegmentsCleaned);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(Scenario.Index, ScenarioLog.ReadTxnIndexFile(fx.LogDirectory, 0));
        Assert.False(File.Exists(ScenarioLog.TxnIndexFile(fx.LogDirectory, 6)));
        Assert.False(File.Exists(ScenarioLog.TxnIndexFile(fx.LogDirectory, 13)));
        Assert.Equal(Scenario.Index, log.GetAbortedTransactions());
        await log.CloseAsync();

        Assert.Equal(Scenario.Index, fx.Open(Config).GetAbortedTransactions());
    }

    [Fact]
    public async Task A_failure_at_any_step_of_a_clean_keeps_every_aborted_transaction()
    {
        int operations;
        using (var fx = new LogFixture())
        {
            operations = InterruptedClean.CountOperations(fx, await BuildAsync(fx), Options).Operations;
        }

        for (var failAt = 0; failAt < operations; failAt++)
        {
            foreach (var crash in (bool[])[false, true])
            {
                using var fx = new LogFixture();
                InterruptedClean.Run(fx, await BuildAsync(fx), Options, failAt);
                PartitionLog reopened;
                if (crash)
                {
                    // Power loss: unfsynced bytes go, recovery scans everything and the replay rebuilds the index.
                    fx.Fs.Crash();
                    reopened = fx.Open(Config, recoveryPoint: 0, hadCleanShutdown: false);
                }
                else
                {
                    // The process dies with every byte on disk: the .txnindex files are trusted as the swap left them.
                    reopened = fx.Open(Config, recoveryPoint: Scenario.LogEndOffset + 1, hadCleanShutdown: true);
                }

                Assert.True(Scenario.Index.SequenceEqual(reopened.GetAbortedTransactions()),
                    $"failure at operation {failAt}, crash {crash}: {string.Join(", ", reopened.GetAbortedTransactions())}");
                Assert.Empty(Directory.GetFiles(fx.LogDirectory, "*.swap"));
                await reopened.CloseAsync();
            }
        }
    }
}
