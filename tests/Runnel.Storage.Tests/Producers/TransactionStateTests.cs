using Runnel.Protocol.Records;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Storage.Tests.Producers;

/// <summary>Open transactions per partition and the last stable offset (Kafka's ongoingTxns / LSO), with markers written as the coordinator will.</summary>
public sealed class TransactionStateTests : IDisposable
{
    private const long P1 = 100;
    private const long P2 = 200;
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static byte[] Data(long pid, int sequence, bool transactional = true) =>
        new RecordBatchBuilder { ProducerId = pid, ProducerEpoch = 0, BaseSequence = sequence, IsTransactional = transactional }
            .Append(1_000, "k"u8.ToArray(), "v"u8.ToArray()).ToArray();

    private static byte[] Marker(long pid, ControlRecordType type, short epoch = 0) =>
        new RecordBatchBuilder { ProducerId = pid, ProducerEpoch = epoch }.AppendEndTransactionMarker(type, coordinatorEpoch: 3, timestamp: 1_000).ToArray();

    private static LogAppendResult Append(PartitionLog log, byte[] batch) => log.Append(batch, leaderEpoch: 1, useLogAppendTime: false);

    [Fact]
    public void The_last_stable_offset_stays_at_the_oldest_open_transaction_until_its_marker()
    {
        var log = _fx.Open();
        LogFixture.Append(log, records: 2);
        Assert.Equal(2, log.LastStableOffset);

        Append(log, Data(P1, 0));                 // offset 2: P1 opens
        Append(log, Data(P2, 0));                 // offset 3: P2 opens
        Append(log, Data(P1, 1));                 // offset 4
        Assert.Equal(2, log.LastStableOffset);
        Assert.Equal(5, log.HighWatermark);

        Append(log, Marker(P1, ControlRecordType.Commit)); // offset 5: P1 committed
        Assert.Equal(3, log.LastStableOffset);
        Assert.Equal((3L, 3), (log.GetProducerState(P2)!.CurrentTxnFirstOffset, log.GetProducerState(P1)!.CoordinatorEpoch));

        Append(log, Marker(P2, ControlRecordType.Abort));  // offset 6: P2 aborted
        Assert.Equal(7, log.LastStableOffset);
        Assert.Equal(-1, log.GetProducerState(P2)!.CurrentTxnFirstOffset);
    }

    [Fact]
    public void A_plain_batch_from_a_producer_with_an_open_transaction_is_refused_and_a_fenced_marker_too()
    {
        var log = _fx.Open();
        Append(log, Data(P1, 0));

        Assert.Equal(ProducerCheckResult.InvalidTxnState, Append(log, Data(P1, 1, transactional: false)).Producer.Result);

        // Epoch 1 (after a fence) continues the open transaction; a marker from epoch 0 is then refused.
        Append(log, new RecordBatchBuilder { ProducerId = P1, ProducerEpoch = 1, BaseSequence = 0, IsTransactional = true }
            .Append(1_000, "k"u8.ToArray(), "v"u8.ToArray()).ToArray());
        Assert.Equal(ProducerCheckResult.InvalidProducerEpoch, Append(log, Marker(P1, ControlRecordType.Commit, epoch: 0)).Producer.Result);
        Assert.Equal(0, log.LastStableOffset);
    }

    [Fact]
    public async Task An_open_transaction_survives_a_restart_by_snapshot_and_by_replay()
    {
        var log = _fx.Open();
        LogFixture.Append(log);
        Append(log, Data(P1, 0));
        log.Roll();
        Append(log, Data(P2, 0));
        Append(log, Marker(P2, ControlRecordType.Commit));
        await log.CloseAsync();

        // Clean close: the snapshot at the log end carries the open transaction.
        log = _fx.Open();
        Assert.Equal(1, log.LastStableOffset);
        Assert.Equal(1, log.GetProducerState(P1)!.CurrentTxnFirstOffset);
        await log.CloseAsync();

        // Without snapshots: the replay reads the marker's record and finds the same.
        foreach (var offset in ProducerStateSnapshot.List(_fx.Fs, log.Directory))
        {
            File.Delete(ProducerStateSnapshot.FilePath(log.Directory, offset));
        }

        log = _fx.Open();
        Assert.Equal(1, log.LastStableOffset);
        Assert.Equal((-1L, 3), (log.GetProducerState(P2)!.CurrentTxnFirstOffset, log.GetProducerState(P2)!.CoordinatorEpoch));

        Append(log, Marker(P1, ControlRecordType.Abort));
        Assert.Equal(log.HighWatermark, log.LastStableOffset);
        await log.CloseAsync();
    }

    [Fact]
    public void A_producer_with_an_open_transaction_does_not_expire()
    {
        var state = new ProducerStateManager();
        state.Record(RecordBatchHeader.Read(Data(P1, 0)), 0, 0);
        state.Record(RecordBatchHeader.Read(Data(P2, 0, transactional: false)), 1, 1);

        Assert.Equal(1, state.RemoveExpired(nowMs: long.MaxValue / 2, expirationMs: 1));
        Assert.NotNull(state.Get(P1));
        Assert.Equal(0, state.FirstUnstableOffset);
    }
}
