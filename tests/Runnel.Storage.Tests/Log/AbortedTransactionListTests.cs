using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Log;

/// <summary>The partition's in-memory aborted transactions: growth, trimming from the front, cutting from the back, compaction's replacements.</summary>
public sealed class AbortedTransactionListTests
{
    /// <summary>Producer i's transaction [10i, 10i + 5], with nothing else open at its marker.</summary>
    private static AbortedTransaction Entry(int i) => new(i, FirstOffset: 10L * i, LastOffset: (10L * i) + 5, LastStableOffset: (10L * i) + 6);

    private static AbortedTransaction[] Entries(int from, int to) => [.. Enumerable.Range(from, to - from).Select(Entry)];

    [Fact]
    public void Entries_added_past_the_capacity_survive_trimming_and_cutting_in_marker_order()
    {
        var list = new AbortedTransactionList([]);
        foreach (var entry in Entries(0, 100))
        {
            list.Add(entry);
        }

        list.RemoveBelow(905); // markers 5, 15, ..., 895 go: 90 entries
        Assert.Equal(Entries(90, 100), list.ToArray());

        list.RemoveFrom(955); // markers 955 and up go
        Assert.Equal(Entries(90, 95), list.ToArray());

        foreach (var entry in Entries(95, 120))
        {
            list.Add(entry);
        }

        Assert.Equal(Entries(90, 120), list.ToArray());
        Assert.True(list.AnyEndingAtOrAfter(1195));
        Assert.False(list.AnyEndingAtOrAfter(1196));
    }

    [Fact]
    public void Compaction_replaces_only_the_entries_whose_markers_lie_in_the_cleaned_range()
    {
        var list = new AbortedTransactionList([.. Entries(0, 10)]);
        var found = new List<AbortedTransaction>();
        list.CollectOverlapping(20, 61, found);
        Assert.Equal(Entries(2, 7), found);

        // A cleaned segment [20, 60) kept the transactions of producers 3 and 5; producer 1's entry
        // (marker 15) is below the range start and is skipped.
        list.ReplaceRange(20, 60, [Entry(1), Entry(3), Entry(5)]);

        Assert.Equal([.. Entries(0, 2), Entry(3), Entry(5), .. Entries(6, 10)], list.ToArray());
        list.Add(Entry(10));
        Assert.Equal(9, list.Count);
    }

    [Fact]
    public void An_entry_whose_marker_is_not_after_the_last_one_is_refused()
    {
        var list = new AbortedTransactionList([Entry(1)]);

        Assert.Throws<InvalidOperationException>(() => list.Add(Entry(0)));
        Assert.Equal([Entry(1)], list.ToArray());
    }
}
