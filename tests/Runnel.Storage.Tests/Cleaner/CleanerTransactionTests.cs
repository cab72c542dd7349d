using Runnel.Protocol.Records;
using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>
/// Compaction of a log with transactions (Kafka's <c>CleanedTransactionMetadata</c> rules): aborted
/// data goes and never hides a committed value, a marker stays while data of its transaction does and
/// goes after its delete horizon once it is alone, the <c>.txnindex</c> keeps the aborted
/// transactions whose markers are still needed, nothing at or after an open transaction is touched,
/// and the producer state rebuilt from a compacted log keeps every producer's epoch and sequence.
/// </summary>
public sealed class CleanerTransactionTests : IDisposable
{
    private const long DeleteRetentionMs = 10_000;
    private const long P1 = 101;
    private const long P2 = 102;
    private const long P3 = 103;

    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static LogConfig Config => LogConfig.Default with { Compact = true, FileDeleteDelayMs = 0, DeleteRetentionMs = DeleteRetentionMs, IndexIntervalBytes = 1 };

    private LogCleaner NewCleaner() => new(CleanerOptions.Default with { DedupeBufferSize = 1 << 20 }, _fx.Fs);

    /// <summary>
    /// Three producers interleaving transactions over keys that plain records write too:
    /// <code>
    /// offset  batch
    ///   0     a=a0                plain
    ///   1     a=p1-a              P1 opens T1
    ///   2     b=p2-b              P2 opens T2
    ///   3     b=b0                plain
    ///   4-5   c=p1-c, d=p1-d      P1
    ///   6     ABORT P1            T1 aborted: a=p1-a, c, d never visible      (roll after)
    ///   7     a=p3-a              P3 opens T3
    ///   8     COMMIT P2           T2 committed
    ///   9     a=p2-a              P2 opens T4: an aborted later value of a    (P2's last data batch)
    ///  10     COMMIT P3           T3 committed: a=p3-a is a's latest committed value
    ///  11     c=c0                plain
    ///  12     ABORT P2            T4 aborted
    ///  13     b=p1-b              P1 opens T5                                  (P1's last data batch)
    ///  14     COMMIT P1           T5 committed                                 (roll after)
    ///  15     z=z0                plain, active segment
    /// </code>
    /// P1, P2 and P3 write with epochs 0, 1 and 2.
    /// </summary>
    private sealed record Scenario(PartitionLog Log, HashSet<long> AbortedOffsets, AbortedTransaction[] Index);

    /// <summary>What the cleaned log holds: the latest committed value of a, b and c, and z.</summary>
    private static readonly (long, string, string)[] Survivors = [(7, "a", "p3-a"), (11, "c", "c0"), (13, "b", "p1-b"), (15, "z", "z0")];

    private Scenario Build()
    {
        var log = _fx.Open(Config);
        var p1 = new TransactionalProducer(log, P1, epoch: 0);
        var p2 = new TransactionalProducer(log, P2, epoch: 1);
        var p3 = new TransactionalProducer(log, P3, epoch: 2);
        KeyedLog.Append(log, ("a", "a0"));
        p1.Send(("a", "p1-a"));
        p2.Send(("b", "p2-b"));
        KeyedLog.Append(log, ("b", "b0"));
        p1.Send(("c", "p1-c"), ("d", "p1-d"));
        Assert.Equal(6, p1.Abort());
        log.Roll();
        p3.Send(("a", "p3-a"));
        Assert.Equal(8, p2.Commit());
        p2.Send(("a", "p2-a"));
        Assert.Equal(10, p3.Commit());
        KeyedLog.Append(log, ("c", "c0"));
        Assert.Equal(12, p2.Abort());
        p1.Send(("b", "p1-b"));
        Assert.Equal(14, p1.Commit());
        log.Roll();
        KeyedLog.Append(log, ("z", "z0"));
        var aborted = p1.Aborted.Concat(p2.Aborted).Concat(p3.Aborted).Select(r => r.Offset).ToHashSet();
        Assert.Equal([1L, 4, 5, 9], aborted.Order());
        var index = log.GetAbortedTransactions();
        Assert.Equal([(P1, 1L, 6L), (P2, 9L, 12L)], index.Select(e => (e.ProducerId, e.FirstOffset, e.LastOffset)));
        return new Scenario(log, aborted, index);
    }

    private static List<long> BatchOffsets(PartitionLog log) => KeyedLog.ReadAll(log).Batches.Select(b => b.BaseOffset).ToList();

    private static RecordBatchHeader BatchAt(PartitionLog log, long baseOffset) => KeyedLog.ReadAll(log).Batches.Single(b => b.BaseOffset == baseOffset);

    private static void AssertReads(PartitionLog log, (long Offset, string Key, string Value)[] expected)
    {
        Assert.Equal(expected, TransactionalRead.Uncommitted(log).Select(r => (r.Offset, r.Key!, r.Value!)));
        Assert.Equal(expected, TransactionalRead.Committed(log).Select(r => (r.Offset, r.Key!, r.Value!)));
    }

    [Fact]
    public void Aborted_data_is_removed_and_an_aborted_later_value_never_hides_the_committed_one()
    {
        var scenario = Build();

        NewCleaner().Clean(scenario.Log, _fx.Time.GetUtcNow());

        // Without the aborted transactions kept out of the offset map, a=p2-a (9) would have removed
        // a=p3-a (7), then been discarded itself: key a would be gone.
        AssertReads(scenario.Log, Survivors);
        Assert.DoesNotContain(KeyedLog.ReadAll(scenario.Log).Records, r => scenario.AbortedOffsets.Contains(r.Offset));

        // Every marker stays: data of its transaction was read by this clean. P2's aborted batch (9) is
        // P2's last data batch, so it stays as an empty batch holding P2's sequence.
        Assert.Equal([6L, 7, 8, 9, 10, 11, 12, 13, 14, 15], BatchOffsets(scenario.Log));
        var emptied = BatchAt(scenario.Log, 9);
        Assert.Equal((0, true, P2), (emptied.RecordCount, emptied.IsTransactional, emptied.ProducerId));
    }

    [Fact]
    public void The_index_keeps_the_aborted_transactions_whose_markers_stay_for_their_data()
    {
        var scenario = Build();
        var cleaner = NewCleaner();

        cleaner.Clean(scenario.Log, _fx.Time.GetUtcNow());

        // This clean read data of both aborted transactions: their markers and entries stay.
        Assert.Equal(scenario.Index, TransactionalRead.IndexFiles(_fx.LogDirectory));
        Assert.Equal(scenario.Index, scenario.Log.GetAbortedTransactions());

        cleaner.RemoveExpiredTombstones(scenario.Log, _fx.Time.GetUtcNow());

        // T1 has no data left, so its entry goes; T4 keeps its emptied batch (P2's last), so its entry stays.
        Assert.Equal([scenario.Index[1]], TransactionalRead.IndexFiles(_fx.LogDirectory));
        Assert.Equal([scenario.Index[1]], scenario.Log.GetAbortedTransactions());
        AssertReads(scenario.Log, Survivors);
    }

    [Fact]
    public void Markers_without_data_get_a_delete_horizon_and_go_after_it_while_markers_with_data_stay()
    {
        var scenario = Build();
        var cleaner = NewCleaner();
        var start = _fx.Time.GetUtcNow();
        cleaner.Clean(scenario.Log, start);

        // Second pass: T1's ABORT (6) and T2's COMMIT (8) are alone now and get their delete horizon.
        var second = cleaner.RemoveExpiredTombstones(scenario.Log, start);
        var horizon = start.ToUnixTimeMilliseconds() + DeleteRetentionMs;
        Assert.Equal(horizon, second.EarliestDeleteHorizonMs);
        foreach (var marker in (long[])[6, 8])
        {
            var header = BatchAt(scenario.Log, marker);
            Assert.True(header.HasDeleteHorizon, $"marker {marker} has a delete horizon");
            Assert.Equal(horizon, header.BaseTimestamp);
        }

        Assert.False(BatchAt(scenario.Log, 10).HasDeleteHorizon);

        cleaner.RemoveExpiredTombstones(scenario.Log, DateTimeOffset.FromUnixTimeMilliseconds(horizon - 1));
        Assert.Equal([6L, 7, 8, 9, 10, 11, 12, 13, 14, 15], BatchOffsets(scenario.Log));

        var last = cleaner.RemoveExpiredTombstones(scenario.Log, DateTimeOffset.FromUnixTimeMilliseconds(horizon));

        // T3's COMMIT (10), T4's ABORT (12) and T5's COMMIT (14) stay: their transactions still have a
        // batch in the log (a=p3-a, P2's emptied batch, b=p1-b).
        Assert.Equal([7L, 9, 10, 11, 12, 13, 14, 15], BatchOffsets(scenario.Log));
        Assert.Equal(-1, last.EarliestDeleteHorizonMs);
        AssertReads(scenario.Log, Survivors);
        TransactionalRead.AssertIndexMatchesFiles(scenario.Log, _fx.LogDirectory);
    }

    [Fact]
    public async Task A_compacted_log_replayed_from_its_first_segment_reads_the_same_and_keeps_every_producer_s_epoch_and_sequence()
    {
        var scenario = Build();
        var cleaner = NewCleaner();
        var start = _fx.Time.GetUtcNow();
        cleaner.Clean(scenario.Log, start);
        cleaner.RemoveExpiredTombstones(scenario.Log, start);
        cleaner.RemoveExpiredTombstones(scenario.Log, start.AddMilliseconds(DeleteRetentionMs));
        var producers = (long[])[P1, P2, P3];
        var before = producers.Select(p => scenario.Log.GetProducerState(p)).Select(s => (s!.Epoch, s.LastSequence, s.CurrentTxnFirstOffset)).ToList();
        var index = scenario.Log.GetAbortedTransactions();
        await scenario.Log.FlushAsync(TestContext.Current.CancellationToken);
        await scenario.Log.CloseAsync();

        // No snapshot at or below the recovery point: the producer state comes from the batches alone.
        var reopened = _fx.Open(Config, recoveryPoint: 0, hadCleanShutdown: false);

        Assert.Equal([(0, 3, -1L), (1, 1, -1L), (2, 0, -1L)], before.Select(b => ((int)b.Epoch, b.LastSequence!.Value, b.CurrentTxnFirstOffset)));
        Assert.Equal(before, producers.Select(p => reopened.GetProducerState(p)).Select(s => (s!.Epoch, s.LastSequence, s.CurrentTxnFirstOffset)));
        Assert.Equal(index, reopened.GetAbortedTransactions());
        Assert.Equal(reopened.LogEndOffset, reopened.LastStableOffset);
        AssertReads(reopened, Survivors);
        TransactionalRead.AssertIndexMatchesFiles(reopened, _fx.LogDirectory);
        await reopened.CloseAsync();
    }

    [Fact]
    public async Task A_fencing_marker_is_kept_as_an_empty_batch_so_a_replay_still_knows_the_bumped_epoch()
    {
        var log = _fx.Open(Config);
        var producer = new TransactionalProducer(log, 7, epoch: 0);
        producer.Send(("k", "aborted"));
        Assert.Equal(1, producer.AbortWithBumpedEpoch());
        KeyedLog.Append(log, ("k", "v"));
        log.Roll();
        KeyedLog.Append(log, ("z", "1"));
        var cleaner = NewCleaner();
        var start = _fx.Time.GetUtcNow();

        cleaner.Clean(log, start);
        cleaner.RemoveExpiredTombstones(log, start);
        cleaner.RemoveExpiredTombstones(log, start.AddMilliseconds(DeleteRetentionMs));

        // The marker's record is gone, its header stays: the producer's epoch 1 has no data batch.
        var marker = BatchAt(log, 1);
        Assert.Equal((true, 0, (short)1), (marker.IsControl, marker.RecordCount, marker.ProducerEpoch));
        Assert.Equal([1L, 2, 3], BatchOffsets(log));
        await log.CloseAsync();

        var reopened = _fx.Open(Config, recoveryPoint: 0, hadCleanShutdown: false);
        Assert.Equal((short)1, reopened.GetProducerState(7)!.Epoch);
        var zombie = new RecordBatchBuilder { ProducerId = 7, ProducerEpoch = 0, BaseSequence = 1, IsTransactional = true }.Append(1_000, "k"u8.ToArray(), "zombie"u8.ToArray()).ToArray();
        Assert.Equal(ProducerCheckResult.InvalidProducerEpoch, reopened.Append(zombie, leaderEpoch: 0, useLogAppendTime: false).Producer.Result);
        await reopened.CloseAsync();
    }

    [Fact]
    public async Task A_transaction_aborted_below_the_log_start_offset_keeps_its_marker_while_a_batch_of_it_remains()
    {
        var log = _fx.Open(Config);
        var producer = new TransactionalProducer(log, 7);
        producer.Send(("k", "aborted"));
        producer.Abort();
        KeyedLog.Append(log, ("k", "v"));
        log.Roll();
        KeyedLog.Append(log, ("z", "1"));

        // The log start moves past the marker but stays in its segment: the entry leaves memory, not the file.
        Assert.Equal(LogError.None, log.DeleteRecordsBefore(2).Error);
        Assert.Empty(log.GetAbortedTransactions());
        var cleaner = NewCleaner();
        var start = _fx.Time.GetUtcNow();

        cleaner.Clean(log, start);
        cleaner.RemoveExpiredTombstones(log, start);
        cleaner.RemoveExpiredTombstones(log, start.AddMilliseconds(DeleteRetentionMs));

        // The aborted batch is its producer's last (kept, emptied), so its marker stays too: a replay
        // of the segment finds the transaction closed, and the last stable offset is not held back.
        Assert.Equal([(7L, 0L, 1L)], TransactionalRead.IndexFiles(_fx.LogDirectory).Select(e => (e.ProducerId, e.FirstOffset, e.LastOffset)));
        TransactionalRead.AssertIndexMatchesFiles(log, _fx.LogDirectory);
        await log.CloseAsync();
        var reopened = _fx.Open(Config, recoveryPoint: 0, logStartOffset: 2, hadCleanShutdown: false);
        Assert.Equal(reopened.LogEndOffset, reopened.LastStableOffset);
        Assert.Equal([(2L, "v"), (3, "1")], TransactionalRead.Committed(reopened).Select(r => (r.Offset, r.Value!)));
        await reopened.CloseAsync();
    }

    [Fact]
    public void Nothing_at_or_after_an_open_transaction_is_cleaned_until_it_is_decided()
    {
        var log = _fx.Open(Config);
        var producer = new TransactionalProducer(log, 7);
        KeyedLog.Append(log, ("k", "v0"));
        KeyedLog.Append(log, ("k", "v1"));
        log.Roll();
        producer.Send(("k", "open"));
        KeyedLog.Append(log, ("k", "v2"));
        log.Roll();
        KeyedLog.Append(log, ("k", "v3"));
        log.Roll();
        KeyedLog.Append(log, ("z", "1"));
        Assert.Equal(2, log.LastStableOffset);
        var cleaner = NewCleaner();

        var stats = cleaner.Clean(log, _fx.Time.GetUtcNow());

        // Only the segment below the open transaction's is cleaned: v0 goes, everything from 2 stays.
        Assert.Equal(2, stats.FirstUncleanableOffset);
        Assert.Equal([(1L, "v1"), (2, "open"), (3, "v2"), (4, "v3"), (5, "1")], TransactionalRead.Uncommitted(log).Select(r => (r.Offset, r.Value!)));

        producer.Commit();
        log.Roll();
        KeyedLog.Append(log, ("z", "2"));
        stats = cleaner.Clean(log, _fx.Time.GetUtcNow());

        Assert.Equal(7, stats.FirstUncleanableOffset);
        Assert.Equal([(4L, "v3"), (5, "1"), (7, "2")], TransactionalRead.Uncommitted(log).Select(r => (r.Offset, r.Value!)));

        // The transaction's batch is its producer's last data batch: it stays, emptied, and so does its COMMIT.
        Assert.Equal([2L, 4, 5, 6, 7], BatchOffsets(log));
    }
}
