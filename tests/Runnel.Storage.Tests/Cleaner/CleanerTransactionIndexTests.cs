using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;
using Runnel.Storage.Tests.Log;
using Scenario = Runnel.TestKit.AbortedTransactionsScenario;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>
/// The cleaned segment's <c>.txnindex</c> over <see cref="Scenario"/> (every key written once, so
/// compaction removes exactly the aborted records): it holds the aborted transactions whose markers
/// the clean keeps, written and swapped in with the segment's other files, and a failure at any step
/// of the swap leaves an index, in memory and in the files, that hides every aborted record a
/// consumer can still read.
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

    private static List<string> Values(List<StoredRecord> records) => records.Select(r => r.Value!).Where(v => v != "1").ToList();

    [Fact]
    public async Task The_segment_that_replaces_three_holds_their_aborted_transactions_and_their_data_is_gone()
    {
        using var fx = new LogFixture();
        var log = await BuildAsync(fx);

        var stats = new LogCleaner(Options, fx.Fs).Clean(log, (long?)null, fx.Time.GetUtcNow());

        // The clean read data of every aborted transaction, so every ABORT marker and entry stays.
        Assert.Equal(1, stats.SegmentsCleaned);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(Scenario.Index, ScenarioLog.ReadTxnIndexFile(fx.LogDirectory, 0));
        Assert.False(File.Exists(ScenarioLog.TxnIndexFile(fx.LogDirectory, 6)));
        Assert.False(File.Exists(ScenarioLog.TxnIndexFile(fx.LogDirectory, 13)));
        Assert.Equal(Scenario.Index, log.GetAbortedTransactions());
        Assert.Equal(Scenario.CommittedValues, Values(TransactionalRead.Uncommitted(log)));
        Assert.Equal(Scenario.CommittedValues, Values(TransactionalRead.Committed(log)));
        await log.CloseAsync();

        Assert.Equal(Scenario.Index, fx.Open(Config).GetAbortedTransactions());
    }

    [Fact]
    public async Task A_failure_at_any_step_of_a_clean_leaves_an_index_that_hides_every_aborted_record()
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

                // The old segments (all values) or the cleaned one (committed values only); either way
                // read_committed sees exactly the committed values, and memory matches the files.
                var context = $"failure at operation {failAt}, crash {crash}";
                var uncommitted = Values(TransactionalRead.Uncommitted(reopened));
                Assert.True(uncommitted.SequenceEqual(Scenario.AllValues) || uncommitted.SequenceEqual(Scenario.CommittedValues), $"{context}: {string.Join(", ", uncommitted)}");
                Assert.True(Scenario.CommittedValues.SequenceEqual(Values(TransactionalRead.Committed(reopened))), context);
                TransactionalRead.AssertIndexMatchesFiles(reopened, fx.LogDirectory);
                Assert.Empty(Directory.GetFiles(fx.LogDirectory, "*.swap"));

                // Whatever the failure left, the next clean finishes the job.
                new LogCleaner(Options, fx.Fs).Clean(reopened, (long?)null, fx.Time.GetUtcNow());
                Assert.True(Scenario.CommittedValues.SequenceEqual(Values(TransactionalRead.Uncommitted(reopened))), context);
                Assert.True(Scenario.CommittedValues.SequenceEqual(Values(TransactionalRead.Committed(reopened))), context);
                TransactionalRead.AssertIndexMatchesFiles(reopened, fx.LogDirectory);
                await reopened.CloseAsync();
            }
        }
    }
}
