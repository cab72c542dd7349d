using Runnel.Storage.Log;
using Runnel.TestKit;
using Scenario = Runnel.TestKit.AbortedTransactionsScenario;

namespace Runnel.Storage.Tests.Log;

/// <summary>
/// The aborted-transaction index (Kafka's <c>.txnindex</c>): what each ABORT marker records, where,
/// what a read_committed fetch gets back, and how the entries survive restarts, crashes, truncation
/// and retention. The log is <see cref="AbortedTransactionsScenario"/>, in one segment or in three
/// (bases 0, 6 and 13, so each abort lands in a different segment).
/// </summary>
public sealed class AbortedTransactionIndexTests : IDisposable
{
    private static readonly LogConfig Config = LogConfig.Default with { FileDeleteDelayMs = 0 };
    private static readonly AbortedTransaction T1 = Scenario.Index[0];
    private static readonly AbortedTransaction T3 = Scenario.Index[1];
    private static readonly AbortedTransaction T2 = Scenario.Index[2];
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private string TxnIndexFile(long baseOffset) => ScenarioLog.TxnIndexFile(_fx.LogDirectory, baseOffset);

    private List<AbortedTransaction> ReadTxnIndexFile(long baseOffset) => ScenarioLog.ReadTxnIndexFile(_fx.LogDirectory, baseOffset);

    private PartitionLog OpenWithScenarioInThreeSegments()
    {
        var log = _fx.Open(Config);
        ScenarioLog.AppendInThreeSegments(log, _fx.NowMs);
        return log;
    }

    private static List<AbortedTransaction>? Collect(PartitionLog log, long fetchOffset, long upperBound)
    {
        List<AbortedTransaction>? into = null;
        log.CollectAbortedTransactions(fetchOffset, upperBound, ref into);
        return into;
    }

    [Fact]
    public void Each_abort_is_indexed_with_the_last_stable_offset_after_its_marker()
    {
        var log = _fx.Open(Config);

        Scenario.AppendTo(log, _fx.NowMs);

        Assert.Equal(Scenario.Index, log.GetAbortedTransactions());
        Assert.Equal(Scenario.Index, ReadTxnIndexFile(0));
        Assert.Equal(Scenario.LogEndOffset, log.LastStableOffset);
    }

    [Fact]
    public void Each_abort_goes_to_the_txnindex_of_the_segment_holding_its_marker()
    {
        var log = OpenWithScenarioInThreeSegments();

        Assert.Equal([T1], ReadTxnIndexFile(0));
        Assert.Equal([T3], ReadTxnIndexFile(6));
        Assert.Equal([T2], ReadTxnIndexFile(13));
        Assert.Equal(Scenario.Index, log.GetAbortedTransactions());
    }

    [Fact]
    public void A_segment_without_aborts_has_no_txnindex_file()
    {
        var log = _fx.Open(Config);
        LogFixture.Append(log);
        log.Roll();
        LogFixture.Append(log);

        Assert.Empty(Directory.GetFiles(_fx.LogDirectory, "*" + LogSegment.TxnIndexExtension));
        Assert.Empty(log.GetAbortedTransactions());
    }

    [Fact]
    public void Collect_returns_the_aborts_a_fetch_range_overlaps_sorted_by_first_offset()
    {
        var log = _fx.Open(Config);
        Scenario.AppendTo(log, _fx.NowMs);

        Assert.Equal([T1, T2, T3], Collect(log, fetchOffset: 0, upperBound: 17));

        // T1's last stable offset (6) reaches the bound: nothing after it can start below 2.
        Assert.Equal([T1], Collect(log, fetchOffset: 0, upperBound: 2));

        // Marker order is T3, T2; T3 starts at the bound, T2 before it.
        Assert.Equal([T2], Collect(log, fetchOffset: 6, upperBound: 7));
        Assert.Equal([T2, T3], Collect(log, fetchOffset: 8, upperBound: 10));
        Assert.Equal([T2], Collect(log, fetchOffset: 12, upperBound: 13));
        Assert.Null(Collect(log, fetchOffset: 16, upperBound: 17));
        Assert.True(log.HasAbortedTransactionsFrom(15));
        Assert.False(log.HasAbortedTransactionsFrom(16));
    }

    [Fact]
    public void Collecting_for_a_fetch_that_no_abort_overlaps_allocates_nothing()
    {
        var log = _fx.Open(Config);
        Scenario.AppendTo(log, _fx.NowMs);
        List<AbortedTransaction>? into = null;
        log.CollectAbortedTransactions(0, 1, ref into);

        var before = GC.GetAllocatedBytesForCurrentThread();
        log.CollectAbortedTransactions(fetchOffset: 0, upperBound: 1, ref into); // T1 ends after, but starts at 1
        log.CollectAbortedTransactions(fetchOffset: 16, upperBound: 17, ref into); // every abort ended before
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Null(into);
    }

    [Fact]
    public async Task A_clean_restart_loads_the_entries_from_the_files()
    {
        var log = OpenWithScenarioInThreeSegments();
        await log.CloseAsync();

        var reopened = _fx.Open(Config);

        Assert.Equal(Scenario.Index, reopened.GetAbortedTransactions());
        Assert.Equal([T2], ReadTxnIndexFile(13));
        await reopened.CloseAsync();
    }

    [Fact]
    public async Task Entries_lost_in_a_crash_are_rebuilt_by_the_replay()
    {
        var log = _fx.Open(Config);
        Scenario.AppendTo(log, _fx.NowMs);
        await log.FlushAsync(TestContext.Current.CancellationToken);

        // The flush made the batches durable, not the active segment's indexes: power loss empties the .txnindex.
        _fx.Fs.Crash();
        Assert.Equal(0, new FileInfo(TxnIndexFile(0)).Length);

        var recovered = _fx.Open(Config, recoveryPoint: log.RecoveryPoint, hadCleanShutdown: false);

        Assert.Equal(Scenario.LogEndOffset, recovered.LogEndOffset);
        Assert.Equal(Scenario.Index, recovered.GetAbortedTransactions());
        Assert.Equal(Scenario.Index, ReadTxnIndexFile(0));
        await recovered.CloseAsync();
    }

    [Fact]
    public async Task A_marker_whose_txnindex_write_fails_takes_the_log_offline_and_is_indexed_when_the_log_reopens()
    {
        var log = _fx.Open(Config);
        var batches = Scenario.Batches(_fx.NowMs);
        for (var offset = 0; offset < 5; offset++)
        {
            log.Append(batches[offset], leaderEpoch: 0, useLogAppendTime: false);
        }

        _fx.Fs.BeforeOperation = (_, path) =>
        {
            if (path.EndsWith(LogSegment.TxnIndexExtension, StringComparison.Ordinal))
            {
                throw new IOException("Injected failure of the .txnindex write.");
            }
        };

        Assert.Throws<LogOfflineException>(() => log.Append(batches[5], leaderEpoch: 0, useLogAppendTime: false));
        Assert.True(log.IsOffline);
        Assert.Equal(5, log.LogEndOffset);

        // The process dies; the marker's bytes reached the segment before the index write failed.
        _fx.Fs.BeforeOperation = null;
        var reopened = _fx.Open(Config, recoveryPoint: 0, hadCleanShutdown: false);

        Assert.Equal(6, reopened.LogEndOffset);
        Assert.Equal([T1], reopened.GetAbortedTransactions());
        Assert.Equal([T1], ReadTxnIndexFile(0));
        await reopened.CloseAsync();
    }

    [Fact]
    public async Task A_torn_txnindex_is_rebuilt_by_a_replay_that_starts_before_its_segment()
    {
        var log = OpenWithScenarioInThreeSegments();
        await log.CloseAsync();
        using (var file = File.Open(TxnIndexFile(0), FileMode.Open))
        {
            file.SetLength(20);
        }

        // A clean shutdown: the snapshot at the log end would replay nothing, but the torn file is seen.
        var reopened = _fx.Open(Config);

        Assert.Equal(Scenario.Index, reopened.GetAbortedTransactions());
        Assert.Equal([T1], ReadTxnIndexFile(0));
        await reopened.CloseAsync();
    }

    [Fact]
    public async Task A_deleted_txnindex_of_a_segment_that_recovery_scans_is_rebuilt()
    {
        var log = OpenWithScenarioInThreeSegments();
        await log.CloseAsync();
        File.Delete(TxnIndexFile(13));

        // After an unclean shutdown with recovery point 14, recovery scans segment 13 and the replay
        // starts at its snapshot; the entries below come from the files.
        var reopened = _fx.Open(Config, recoveryPoint: 14, hadCleanShutdown: false);

        Assert.Equal(Scenario.Index, reopened.GetAbortedTransactions());
        Assert.Equal([T2], ReadTxnIndexFile(13));
        await reopened.CloseAsync();
    }

    [Fact]
    public async Task Truncation_removes_the_entries_at_and_after_the_new_log_end()
    {
        var log = OpenWithScenarioInThreeSegments();

        Assert.True(log.TruncateTo(11));

        Assert.Equal(11, log.LogEndOffset);
        Assert.Equal([T1], log.GetAbortedTransactions());
        Assert.Equal([T1], ReadTxnIndexFile(0));
        Assert.Equal(0, new FileInfo(TxnIndexFile(6)).Length);
        Assert.False(File.Exists(TxnIndexFile(13)));

        // T2, T3 and T4 are open again: the last stable offset is T2's first offset.
        Assert.Equal(6, log.LastStableOffset);

        // The index goes on from there: P3's abort is written again at offset 11.
        log.Append(Scenario.Batches(_fx.NowMs)[11], leaderEpoch: 0, useLogAppendTime: false);
        Assert.Equal([T1, T3], log.GetAbortedTransactions());
        Assert.Equal([T3], ReadTxnIndexFile(6));
        await log.CloseAsync();
        Assert.Equal([T1, T3], _fx.Open(Config).GetAbortedTransactions());
    }

    [Fact]
    public async Task Retention_deletes_the_txnindex_with_its_segment_and_the_log_start_offset_trims_the_entries()
    {
        var log = OpenWithScenarioInThreeSegments();

        Assert.Equal(LogError.None, log.DeleteRecordsBefore(12).Error);

        // Segment 0 is deleted with its .txnindex; segment 6 stays (it holds offset 12) with T3 in its
        // file, but T3 ends below the log start offset and is no longer served.
        Assert.False(File.Exists(TxnIndexFile(0)));
        Assert.Equal([T3], ReadTxnIndexFile(6));
        Assert.Equal([T2], log.GetAbortedTransactions());
        await log.CloseAsync();

        Assert.Equal([T2], _fx.Open(Config, logStartOffset: 12).GetAbortedTransactions());
    }
}
