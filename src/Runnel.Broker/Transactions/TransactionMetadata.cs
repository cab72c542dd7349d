using Runnel.Storage.Log;

namespace Runnel.Broker.Transactions;

/// <summary>
/// The coordinator's view of one transactional id (Kafka's <c>TransactionMetadata</c>). Mutated only
/// under the coordinator's lock; a change is first prepared as a <see cref="TransactionTransit"/>
/// (with <see cref="Pending"/> set, which makes other requests for the id wait their turn), appended
/// to <c>__transaction_state</c>, and applied once the append succeeded.
/// </summary>
internal sealed class TransactionMetadata(string transactionalId, int statePartition)
{
    public string TransactionalId { get; } = transactionalId;

    /// <summary>The <c>__transaction_state</c> partition holding this id's records.</summary>
    public int StatePartition { get; } = statePartition;

    public long ProducerId { get; set; } = -1;

    /// <summary>The producer id before the last rotation (an exhausted epoch), for KIP-360 retries.</summary>
    public long PreviousProducerId { get; set; } = -1;

    /// <summary>-1 right after creation, before the first InitProducerId completes.</summary>
    public short ProducerEpoch { get; set; } = -1;

    /// <summary>The epoch before the last client-requested bump, so a retried KIP-360 bump is recognised.</summary>
    public short LastProducerEpoch { get; set; } = -1;

    public int TimeoutMs { get; set; }

    public TransactionState State { get; set; } = TransactionState.Empty;

    /// <summary>Partitions of the open transaction (including <c>__consumer_offsets</c> ones added by AddOffsetsToTxn).</summary>
    public HashSet<TopicPartition> Partitions { get; } = [];

    /// <summary>When the open transaction started (the first partition added), or -1.</summary>
    public long StartMs { get; set; } = -1;

    public long LastUpdateMs { get; set; }

    /// <summary>The state a transition in flight leads to, or null.</summary>
    public TransactionState? Pending { get; set; }

    /// <summary>The append of a fence failed after the epoch was bumped in memory: a retry must not bump again.</summary>
    public bool HasFailedEpochFence { get; set; }

    /// <summary>
    /// TV2 only: the producer id a Prepare* moves to once it completes, because its epoch bump
    /// exhausted the current one; -1 otherwise.
    /// </summary>
    public long NextProducerId { get; set; } = -1;

    /// <summary>The transaction protocol of the client's last transaction (Kafka's <c>clientTransactionVersion</c>).</summary>
    public byte TransactionVersion { get; set; }

    public TransactionTransit ToTransit() => new(
        ProducerId, PreviousProducerId, ProducerEpoch, LastProducerEpoch, TimeoutMs, State, [.. Partitions], StartMs, LastUpdateMs,
        NextProducerId, TransactionVersion);

    /// <summary>Applies a transition whose record was stored.</summary>
    public void Apply(TransactionTransit transit)
    {
        ProducerId = transit.ProducerId;
        PreviousProducerId = transit.PreviousProducerId;
        ProducerEpoch = transit.ProducerEpoch;
        LastProducerEpoch = transit.LastProducerEpoch;
        TimeoutMs = transit.TimeoutMs;
        State = transit.State;
        Partitions.Clear();
        Partitions.UnionWith(transit.Partitions);
        StartMs = transit.StartMs;
        LastUpdateMs = transit.LastUpdateMs;
        NextProducerId = transit.NextProducerId;
        TransactionVersion = transit.TransactionVersion;
        Pending = null;
    }
}

/// <summary>One stored state of a transactional id: what a <c>__transaction_state</c> record holds.</summary>
internal readonly record struct TransactionTransit(
    long ProducerId,
    long PreviousProducerId,
    short ProducerEpoch,
    short LastProducerEpoch,
    int TimeoutMs,
    TransactionState State,
    TopicPartition[] Partitions,
    long StartMs,
    long LastUpdateMs,
    long NextProducerId = -1,
    byte TransactionVersion = TransactionVersions.V1)
{
    /// <summary>
    /// The stored state once the markers of this Prepare* are written (Kafka's <c>prepareComplete</c>):
    /// no partitions, and under TV2 the producer id an exhausted epoch rotated to, at epoch 0.
    /// </summary>
    public TransactionTransit Completed(long nowMs)
    {
        var state = State == TransactionState.PrepareCommit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
        var completed = this with { State = state, Partitions = [], LastUpdateMs = nowMs };
        return NextProducerId < 0
            ? completed
            : completed with { ProducerId = NextProducerId, PreviousProducerId = ProducerId, ProducerEpoch = 0, LastProducerEpoch = ProducerEpoch, NextProducerId = -1 };
    }
}

/// <summary>Kafka's <c>transaction.version</c> feature levels a client can speak.</summary>
internal static class TransactionVersions
{
    /// <summary>KIP-98 transactions as clients before KIP-890 part 2 run them (Kafka's TV_0 and TV_1 behave alike here).</summary>
    public const byte V1 = 0;

    /// <summary>KIP-890 part 2: an epoch bump at every EndTxn, partitions added by the leader (Produce v12, TxnOffsetCommit v5, EndTxn v5).</summary>
    public const byte V2 = 2;
}
