using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Log;

/// <summary>The partition's in-memory aborted transactions: growth, trimming from the front, cutting from the back.</summary>
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
    public void An_entry_whose_marker_is_not_after_the_last_one_is_refused()
    {
        var list = new AbortedTransactionList([Entry(1)]);

        Assert.Throws<InvalidOperationException>(() => list.Add(Entry(0)));
        Assert.Equal([Entry(1)], list.ToArray());
    }
}
