using Runnel.Broker.Transactions;
using Runnel.Storage.Log;

namespace Runnel.Broker.Tests.Transactions;

/// <summary>The <c>__transaction_state</c> value format (docs/formats/transaction-state.md): round trips, older versions, damage.</summary>
public sealed class TransactionLogRecordsTests
{
    private static readonly TransactionTransit Prepared = new(
        ProducerId: 4001, PreviousProducerId: 17, ProducerEpoch: short.MaxValue, LastProducerEpoch: 32766, TimeoutMs: 60_000,
        State: TransactionState.PrepareCommit, Partitions: [new("b", 2), new("a", 1), new("a", 0)], StartMs: 1_700_000_000_000, LastUpdateMs: 1_700_000_000_500,
        NextProducerId: 5002, TransactionVersion: TransactionVersions.V2);

    [Fact]
    public void A_value_round_trips_with_its_TV2_fields()
    {
        Assert.True(TransactionLogRecords.TryReadValue(TransactionLogRecords.Value(Prepared), out var read));
        Assert.Equal(Prepared with { Partitions = [] }, read with { Partitions = [] });
        Assert.Equal([new TopicPartition("a", 0), new TopicPartition("a", 1), new TopicPartition("b", 2)], read.Partitions);
    }

    [Fact]
    public void A_version_1_value_reads_with_the_TV1_defaults()
    {
        // Version 1 is version 2 without the two trailing fields (next producer id, transaction version).
        var v2 = TransactionLogRecords.Value(Prepared);
        var v1 = v2[..^9];
        v1[1] = 1;
        Assert.True(TransactionLogRecords.TryReadValue(v1, out var read));
        Assert.Equal((4001L, -1L, TransactionVersions.V1, TransactionState.PrepareCommit), (read.ProducerId, read.NextProducerId, read.TransactionVersion, read.State));
    }

    [Fact]
    public void A_truncated_or_unknown_value_is_refused()
    {
        var value = TransactionLogRecords.Value(Prepared);
        Assert.False(TransactionLogRecords.TryReadValue(value.AsSpan(..^1), out _));
        var version0 = (byte[])value.Clone();
        version0[1] = 0;
        Assert.False(TransactionLogRecords.TryReadValue(version0, out _));
    }

    [Fact]
    public void Completing_a_TV2_prepare_that_exhausted_the_epoch_moves_to_the_next_producer_id()
    {
        var completed = Prepared.Completed(nowMs: 42);
        Assert.Equal((TransactionState.CompleteCommit, 5002L, 4001L, (short)0, -1L, 42L), (completed.State, completed.ProducerId, completed.PreviousProducerId, completed.ProducerEpoch, completed.NextProducerId, completed.LastUpdateMs));
        Assert.Empty(completed.Partitions);

        var plain = (Prepared with { NextProducerId = -1, ProducerEpoch = 9, State = TransactionState.PrepareAbort }).Completed(nowMs: 43);
        Assert.Equal((TransactionState.CompleteAbort, 4001L, (short)9), (plain.State, plain.ProducerId, plain.ProducerEpoch));
    }
}
