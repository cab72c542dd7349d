using System.Runtime.InteropServices;

namespace Runnel.Storage.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// The partition's aborted transactions (Kafka's per-segment <c>.txnindex</c> entries, all kept in
    /// memory): written with each ABORT marker, loaded at open, rebuilt by the producer-state replay,
    /// trimmed with the log start offset and cut by truncation. Read lock-free by read_committed fetches.
    /// </summary>
    private readonly AbortedTransactionList _aborted;

    /// <summary>
    /// Whether some transaction aborted by a marker at or after <paramref name="fetchOffset"/> is known:
    /// when not (the common case), a read_committed fetch from there needs no aborted-transaction list
    /// and no upper bound. Lock-free, O(1).
    /// </summary>
    public bool HasAbortedTransactionsFrom(long fetchOffset) => _aborted.AnyEndingAtOrAfter(fetchOffset);

    /// <summary>
    /// The aborted transactions a read_committed consumer needs to filter the batches of a fetch from
    /// <paramref name="fetchOffset"/> whose data ends just below <paramref name="upperBound"/> (Kafka's
    /// <c>collectAbortedTransactions</c>): every one whose marker is at or after the fetch offset and
    /// whose first offset is below the bound, added to <paramref name="into"/> (created on the first
    /// match) sorted by first offset, the order KafkaJS needs (it only looks at the head of the list).
    /// </summary>
    /// <remarks>Lock-free; allocates nothing when no transaction matches.</remarks>
    public void CollectAbortedTransactions(long fetchOffset, long upperBound, ref List<AbortedTransaction>? into)
    {
        var before = into?.Count ?? 0;
        _aborted.Collect(fetchOffset, upperBound, ref into);
        if (into is not null && into.Count - before > 1)
        {
            CollectionsMarshal.AsSpan(into)[before..].Sort(static (a, b) => a.FirstOffset.CompareTo(b.FirstOffset));
        }
    }

    /// <summary>Every aborted transaction the partition knows, in marker order (tests and diagnostics).</summary>
    public AbortedTransaction[] GetAbortedTransactions() => _aborted.ToArray();

    /// <summary>
    /// Records aborted transactions whose markers <paramref name="segment"/> holds: in its
    /// <c>.txnindex</c> (the new file's directory entry is made durable by the next flush), then in
    /// memory. Caller holds the append lock, or is the open. Throws <see cref="IOException"/> when
    /// the write fails: the caller takes the log offline.
    /// </summary>
    private void IndexAbortsLocked(LogSegment segment, ReadOnlySpan<AbortedTransaction> entries)
    {
        if (segment.TransactionIndex.AppendRange(entries))
        {
            _directoryDirty = true;
        }

        foreach (var entry in entries)
        {
            _aborted.Add(entry);
        }
    }
}
