using Runnel.Protocol.Records;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Storage.Cleaner;

/// <summary>
/// The transactions seen by one phase of a cleaner pass (Kafka's <c>CleanedTransactionMetadata</c>):
/// seeded with the aborted transactions whose batches may lie in what the phase reads, told every
/// batch in offset order, it says which data batches belong to an aborted transaction and which
/// transaction markers are no longer needed.
/// </summary>
/// <remarks>
/// <para>Rules, Kafka's: an aborted transaction becomes its producer's ongoing abort when the reader
/// reaches its first offset, and the producer's transactional batches are aborted until its ABORT
/// marker. Any other transactional batch is committed data of its producer's transaction. A marker
/// is needed while this pass read data of its transaction, even data it is about to drop: a
/// transactional batch must never outlive its marker (a replay of the log would find a hanging
/// transaction, and read_committed consumers would see aborted data), and a consumer that fetched
/// the data just before the clean still needs the marker after it. So an aborted transaction's data
/// goes in one pass; from the next its marker is unneeded, gets a delete horizon and goes in the
/// first clean after it (KIP-534). A needed ABORT marker keeps its entry in the cleaned segment's
/// <c>.txnindex</c> (<see cref="TakeRetainedAborts"/>); an unneeded one loses it, as no data of the
/// transaction is left to filter. An emptied control batch is never needed; a control batch of
/// another type always is.</para>
/// <para>Lifecycle: one instance per phase of a pass, fed batches in offset order from the start of
/// what it was seeded for (the map phase from the first dirty offset, the clean phase from the first
/// segment); not thread-safe.</para>
/// </remarks>
internal sealed class CleanedTransactions
{
    /// <summary>Seeded aborted transactions not reached yet, by first offset (Kafka's min-heap).</summary>
    private readonly PriorityQueue<AbortedTransaction, long> _notReached = new();

    /// <summary>Producer id → its aborted transaction the reader is inside (Kafka's <c>ongoingAbortedTxns</c>).</summary>
    private readonly Dictionary<long, OngoingAbort> _ongoingAborts = [];

    /// <summary>Producers whose committed transactional data was read since their last COMMIT marker (Kafka's <c>ongoingCommittedTxns</c>).</summary>
    private readonly HashSet<long> _ongoingCommits = [];

    private readonly List<AbortedTransaction> _retainedAborts = [];

    public CleanedTransactions(IEnumerable<AbortedTransaction> abortedTransactions)
    {
        foreach (var aborted in abortedTransactions)
        {
            _notReached.Enqueue(aborted, aborted.FirstOffset);
        }
    }

    /// <summary>Kafka's <c>onBatchRead</c>: whether the data batch belongs to an aborted transaction (drop it, and keep it out of the offset map).</summary>
    public bool IsAborted(in RecordBatchHeader header)
    {
        ReachAbortsUpTo(header.LastOffset);
        if (!header.IsTransactional)
        {
            return false;
        }

        if (_ongoingAborts.TryGetValue(header.ProducerId, out var abort))
        {
            abort.DataRead = true;
            return true;
        }

        _ongoingCommits.Add(header.ProducerId);
        return false;
    }

    /// <summary>
    /// Kafka's <c>onControlBatchRead</c>: whether the control batch (its bytes in
    /// <paramref name="batch"/>) is no longer needed, so it may get a delete horizon and go after it.
    /// A needed ABORT marker's transaction is added to the retained aborts.
    /// </summary>
    public bool IsMarkerRemovable(in RecordBatchHeader header, ReadOnlySpan<byte> batch)
    {
        ReachAbortsUpTo(header.LastOffset);
        if (header.RecordCount == 0)
        {
            return true;
        }

        switch (TransactionMarker.TryRead(batch)?.Type)
        {
            case ControlRecordType.Abort:
                if (_ongoingAborts.Remove(header.ProducerId, out var abort) && abort.DataRead)
                {
                    _retainedAborts.Add(abort.Transaction);
                    return false;
                }

                return true;
            case ControlRecordType.Commit:
                return !_ongoingCommits.Remove(header.ProducerId);
            default:
                return false;
        }
    }

    /// <summary>The aborted transactions whose ABORT markers were kept since the last call, in marker order: the cleaned segment's <c>.txnindex</c>.</summary>
    public AbortedTransaction[] TakeRetainedAborts()
    {
        var retained = _retainedAborts.ToArray();
        _retainedAborts.Clear();
        return retained;
    }

    private void ReachAbortsUpTo(long offset)
    {
        while (_notReached.TryPeek(out var aborted, out var firstOffset) && firstOffset <= offset)
        {
            _notReached.Dequeue();
            _ongoingAborts.TryAdd(aborted.ProducerId, new OngoingAbort(aborted));
        }
    }

    /// <summary>An aborted transaction being read, and whether any of its data batches was (Kafka's <c>AbortedTransactionMetadata</c>).</summary>
    private sealed class OngoingAbort(AbortedTransaction transaction)
    {
        public AbortedTransaction Transaction { get; } = transaction;

        public bool DataRead { get; set; }
    }
}
