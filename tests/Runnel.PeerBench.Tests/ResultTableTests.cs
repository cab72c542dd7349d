using Runnel.PeerBench.Results;

namespace Runnel.PeerBench.Tests;

public sealed class ResultTableTests
{
    [Fact]
    public void Figure_shows_median_then_range_when_there_are_several_runs()
    {
        Assert.Equal("200 (100–300)", ResultTable.Format(new Stat(200, 100, 300, 3), "N0"));
        Assert.Equal("2.50", ResultTable.Format(new Stat(2.5, 2.5, 2.5, 1), "F2"));
        Assert.Equal("-", ResultTable.Format(null, "F2"));
    }

    [Fact]
    public void Not_applicable_cells_share_a_numbered_footnote_per_reason()
    {
        Aggregation aggregation = new(
            [
                new("produce-1k-acks1", "Runnel", "unpinned", 1, new Measurement(2000, 2, 1, 2, 3, 4), null),
                new("produce-1k-acks1", "Garnet", "unpinned", 1, null, "not installed"),
                new("consume-1k", "Garnet", "unpinned", 1, null, "not installed"),
                new("consume-1k", "NATS", "unpinned", 1, null, "other reason"),
            ],
            "Runnel");

        ResultTable table = new(aggregation);

        Assert.Equal(["not installed", "other reason"], table.Footnotes);
        Assert.Equal("n/a [1]", table.Rows[2][3]);
        Assert.Equal("n/a [2]", table.Rows[3][3]);
        Assert.Contains("- [1] not installed", table.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void Baseline_row_carries_the_ratio_to_the_best_peer()
    {
        Aggregation aggregation = new(
            [
                new("produce-1k-acks1", "Runnel", "pinned", 1, new Measurement(3000, 3, 1, 2, 3, 4), null),
                new("produce-1k-acks1", "Redis", "pinned", 1, new Measurement(2000, 2, 1, 2, null, 4), null),
            ],
            "Runnel");

        ResultTable table = new(aggregation);

        Assert.Equal("1.50× vs Redis", table.Rows[0][^1]);
        Assert.Equal("", table.Rows[1][^1]);
        Assert.StartsWith("| workload | pinning | system |", table.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void Caveat_puts_a_footnote_number_after_the_system()
    {
        Aggregation aggregation = new(
            [new("consume-1k", "Redis", "unpinned", 1, new Measurement(10, 1, null, null, null, null), null, "hot-key range reads")],
            "Runnel");

        ResultTable table = new(aggregation);

        Assert.Equal("Redis [1]", table.Rows[0][2]);
        Assert.Equal(["hot-key range reads"], table.Footnotes);
    }
}
