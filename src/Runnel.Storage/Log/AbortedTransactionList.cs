using System.Diagnostics;

namespace Runnel.Storage.Log;

/// <summary>
/// Every aborted-transaction entry of one partition, in memory and sorted by
/// <see cref="AbortedTransaction.LastOffset"/> (marker order), so a read_committed fetch never reads a
/// <c>.txnindex</c> file. The files (<see cref="TransactionIndex"/>) are the durable copy; this list
/// is loaded from them at open and follows every change made to them.
/// </summary>
/// <remarks>
/// <para>Concurrency: one writer (the partition's append lock, or the open) and lock-free readers.
/// Readers take the published <see cref="View"/>, an immutable window on an array. The writer never
/// writes an array slot that a published window covers: an append fills the slot just past the
/// current window (no earlier window reaches it), dropping a prefix only narrows the window, and
/// dropping a suffix copies the survivors to a new array, because the slots it frees would otherwise
/// be reused under a reader that still sees them.</para>
/// <para>Memory: 32 bytes per entry; entries below the log start offset are dropped when it moves,
/// and the array shrinks when most of it went.</para>
/// </remarks>
internal sealed class AbortedTransactionList
{
    private View _view;

    public AbortedTransactionList(List<AbortedTransaction> sortedEntries)
    {
        var entries = new AbortedTransaction[Math.Max(4, sortedEntries.Count)];
        sortedEntries.CopyTo(entries);
        _view = new View(entries, 0, sortedEntries.Count);
    }

    public int Count => Volatile.Read(ref _view).Count;

    /// <summary>Every entry, oldest first (tests and diagnostics).</summary>
    public AbortedTransaction[] ToArray() => Volatile.Read(ref _view).Span.ToArray();

    /// <summary>Appends an entry whose last offset is above every other's. Writer only.</summary>
    public void Add(in AbortedTransaction entry)
    {
        var view = _view;
        var end = view.Start + view.Count;
        if (view.Count > 0 && entry.LastOffset <= view.Entries[end - 1].LastOffset)
        {
            throw new InvalidOperationException(
                $"Aborted transactions must be added in marker order: {entry.LastOffset} follows {view.Entries[end - 1].LastOffset}.");
        }

        var entries = view.Entries;
        var start = view.Start;
        if (end == entries.Length)
        {
            // Full: a new array, which also sheds the prefix dropped below the log start offset.
            entries = new AbortedTransaction[Math.Max(4, view.Count * 2)];
            view.Span.CopyTo(entries);
            start = 0;
            end = view.Count;
        }

        entries[end] = entry;
        Volatile.Write(ref _view, new View(entries, start, view.Count + 1));
    }

    /// <summary>Drops the entries whose marker lies below <paramref name="offset"/> (the log start offset moved past them). Writer only.</summary>
    public void RemoveBelow(long offset)
    {
        var view = _view;
        var keepFrom = view.FirstAtOrAfter(offset);
        if (keepFrom == 0)
        {
            return;
        }

        var kept = view.Count - keepFrom;
        if (kept < view.Entries.Length / 4)
        {
            // Mostly dropped: a right-sized copy lets the old array go (nothing else may grow it soon).
            var entries = new AbortedTransaction[Math.Max(4, kept * 2)];
            view.Span[keepFrom..].CopyTo(entries);
            Volatile.Write(ref _view, new View(entries, 0, kept));
            return;
        }

        Volatile.Write(ref _view, new View(view.Entries, view.Start + keepFrom, kept));
    }

    /// <summary>Drops the entries whose marker lies at or after <paramref name="offset"/> (truncation, rebuild). Writer only.</summary>
    public void RemoveFrom(long offset)
    {
        var view = _view;
        var keep = view.FirstAtOrAfter(offset);
        if (keep == view.Count)
        {
            return;
        }

        var entries = new AbortedTransaction[Math.Max(4, keep)];
        view.Span[..keep].CopyTo(entries);
        Volatile.Write(ref _view, new View(entries, 0, keep));
    }

    /// <summary>
    /// Replaces the entries whose marker lies in [<paramref name="from"/>, <paramref name="to"/>) with
    /// <paramref name="entries"/> (in marker order, markers below <paramref name="to"/>; those below
    /// <paramref name="from"/> are skipped): compaction keeps only some of a cleaned segment's entries,
    /// which the cleaner read in offset order from that segment's batches. Copies to a new array, as
    /// <see cref="RemoveFrom"/> does, since readers may still see the old slots. Writer only.
    /// </summary>
    public void ReplaceRange(long from, long to, ReadOnlySpan<AbortedTransaction> entries)
    {
        if (from >= to)
        {
            return;
        }

        var skip = 0;
        while (skip < entries.Length && entries[skip].LastOffset < from)
        {
            skip++;
        }

        entries = entries[skip..];
        Debug.Assert(entries.IsEmpty || entries[^1].LastOffset < to, "retained aborted transactions lie in the replaced range");

        var view = _view;
        var start = view.FirstAtOrAfter(from);
        var end = view.FirstAtOrAfter(to);
        var old = view.Span;
        if (old[start..end].SequenceEqual(entries))
        {
            return;
        }

        var count = old.Length - (end - start) + entries.Length;
        var replaced = new AbortedTransaction[Math.Max(4, count)];
        old[..start].CopyTo(replaced);
        entries.CopyTo(replaced.AsSpan(start));
        old[end..].CopyTo(replaced.AsSpan(start + entries.Length));
        Volatile.Write(ref _view, new View(replaced, 0, count));
    }

    /// <summary>
    /// Adds to <paramref name="into"/> every entry whose marker is at or after <paramref name="from"/>
    /// and whose first offset is below <paramref name="to"/>, in marker order: the aborted transactions
    /// that may have batches in [<paramref name="from"/>, <paramref name="to"/>) (the cleaner's
    /// version of Kafka's <c>collectAbortedTransactions</c>, without the fetch's early stop).
    /// </summary>
    public void CollectOverlapping(long from, long to, List<AbortedTransaction> into)
    {
        var view = Volatile.Read(ref _view);
        var entries = view.Span;
        for (var i = view.FirstAtOrAfter(from); i < entries.Length; i++)
        {
            if (entries[i].FirstOffset < to)
            {
                into.Add(entries[i]);
            }
        }
    }

    /// <summary>Whether some transaction aborted by a marker at or after <paramref name="offset"/> is known. Lock-free, O(1).</summary>
    public bool AnyEndingAtOrAfter(long offset)
    {
        var view = Volatile.Read(ref _view);
        return view.Count > 0 && view.Entries[view.Start + view.Count - 1].LastOffset >= offset;
    }

    /// <summary>
    /// Kafka's <c>TransactionIndex.collectAbortedTxns</c> over the whole partition: adds to
    /// <paramref name="into"/> (created on the first match) every entry with
    /// <c>LastOffset ≥ fetchOffset</c> and <c>FirstOffset &lt; upperBound</c>, in marker order. It
    /// stops after the first entry whose last stable offset reaches <paramref name="upperBound"/>:
    /// every transaction that started below the bound had ended by that marker, so no later entry
    /// can match. Lock-free; allocates nothing unless an entry matches.
    /// </summary>
    public void Collect(long fetchOffset, long upperBound, ref List<AbortedTransaction>? into)
    {
        var view = Volatile.Read(ref _view);
        var entries = view.Span;
        for (var i = view.FirstAtOrAfter(fetchOffset); i < entries.Length; i++)
        {
            ref readonly var entry = ref entries[i];
            if (entry.FirstOffset < upperBound)
            {
                (into ??= []).Add(entry);
            }

            if (entry.LastStableOffset >= upperBound)
            {
                return;
            }
        }
    }

    /// <summary>An immutable window [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>) of <see cref="Entries"/>.</summary>
    private sealed class View(AbortedTransaction[] entries, int start, int count)
    {
        public AbortedTransaction[] Entries { get; } = entries;

        public int Start { get; } = start;

        public int Count { get; } = count;

        public ReadOnlySpan<AbortedTransaction> Span => Entries.AsSpan(Start, Count);

        /// <summary>Index (within the window) of the first entry whose last offset is at or above <paramref name="offset"/>; <see cref="Count"/> when none.</summary>
        public int FirstAtOrAfter(long offset)
        {
            var span = Span;
            int lo = 0, hi = span.Length;
            while (lo < hi)
            {
                var mid = lo + ((hi - lo) >> 1);
                if (span[mid].LastOffset < offset)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
