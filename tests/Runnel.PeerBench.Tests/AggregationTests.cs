using Runnel.PeerBench.Results;

namespace Runnel.PeerBench.Tests;

public sealed class AggregationTests
{
    private static Sample Ok(string workload, string system, int run, double msgs, double? p99 = null, string pinning = "unpinned") =>
        new(workload, system, pinning, run, new Measurement(msgs, msgs / 1024, null, p99, null, 1), null);

    private static Sample NotApplicable(string workload, string system, int run, string reason) =>
        new(workload, system, "unpinned", run, null, reason);

    [Fact]
    public void Cell_holds_median_and_range_of_three_runs()
    {
        Aggregation aggregation = new([Ok("consume-1k", "Runnel", 1, 300), Ok("consume-1k", "Runnel", 2, 100), Ok("consume-1k", "Runnel", 3, 200)], "Runnel");

        var cell = Assert.Single(aggregation.Cells);
        Assert.Equal(new Stat(200, 100, 300, 3), cell.MsgsPerSec);
    }

    [Fact]
    public void Each_baseline_is_compared_with_the_best_peer_and_never_with_another_baseline()
    {
        Aggregation aggregation = new(
            [
                Ok("produce-100b-acks1", "Runnel", 1, 300),
                Ok("produce-100b-acks1", "Runnel (wire clients)", 1, 3000),
                Ok("produce-100b-acks1", "Garnet", 1, 600),
                Ok("produce-100b-acks1", "Redis", 1, 200),
            ],
            "Runnel",
            "Runnel (wire clients)");

        Assert.Equal(new Comparison(0.5, "Garnet", RankBy.Throughput), aggregation.ComparisonFor("produce-100b-acks1", "unpinned", "Runnel"));
        Assert.Equal(new Comparison(5, "Garnet", RankBy.Throughput), aggregation.ComparisonFor("produce-100b-acks1", "unpinned", "Runnel (wire clients)"));
        Assert.Equal(aggregation.ComparisonFor("produce-100b-acks1", "unpinned", "Runnel"), aggregation.ComparisonFor("produce-100b-acks1", "unpinned"));
        Assert.Equal(["Runnel", "Runnel (wire clients)", "Garnet", "Redis"], aggregation.Cells.Select(c => c.System));

        string[][] rows = [.. new ResultTable(aggregation).Rows];
        Assert.Equal("0.50× vs Garnet", rows[0][^1]);
        Assert.Equal("5.00× vs Garnet", rows[1][^1]);
        Assert.Equal("", rows[2][^1]);
    }

    [Fact]
    public void Throughput_ratio_is_against_the_fastest_peer()
    {
        Aggregation aggregation = new(
            [Ok("produce-1k-acks1", "Runnel", 1, 300), Ok("produce-1k-acks1", "Redis", 1, 200), Ok("produce-1k-acks1", "NATS", 1, 100)],
            "Runnel");

        var comparison = aggregation.ComparisonFor("produce-1k-acks1", "unpinned")!;
        Assert.Equal("Redis", comparison.BestPeer);
        Assert.Equal(1.5, comparison.Factor);
    }

    [Fact]
    public void Latency_ratio_is_best_peer_p99_over_runnel_p99()
    {
        Aggregation aggregation = new(
            [Ok("roundtrip", "Runnel", 1, 1000, p99: 4), Ok("roundtrip", "Redis", 1, 2000, p99: 2), Ok("roundtrip", "NATS", 1, 500, p99: 8)],
            "Runnel");

        var comparison = aggregation.ComparisonFor("roundtrip", "unpinned")!;
        Assert.Equal("Redis", comparison.BestPeer);
        Assert.Equal(0.5, comparison.Factor);
        Assert.Equal(RankBy.Latency, comparison.RankBy);
    }

    [Fact]
    public void Not_applicable_peer_is_left_out_of_the_comparison()
    {
        Aggregation aggregation = new(
            [Ok("produce-1k-fsync-4p", "Runnel", 1, 100), NotApplicable("produce-1k-fsync-4p", "NATS", 1, "no sync_interval"), Ok("produce-1k-fsync-4p", "Redis", 1, 50)],
            "Runnel");

        Assert.Equal("Redis", aggregation.ComparisonFor("produce-1k-fsync-4p", "unpinned")!.BestPeer);
        var nats = aggregation.Cells.Single(c => c.System == "NATS");
        Assert.Equal("no sync_interval", nats.NotApplicable);
        Assert.Null(nats.MsgsPerSec);
    }

    [Fact]
    public void No_measured_peer_gives_no_comparison()
    {
        Aggregation aggregation = new([Ok("e2e-10mibs", "Runnel", 1, 10, p99: 3), NotApplicable("e2e-10mibs", "Redis", 1, "no driver")], "Runnel");

        Assert.Null(aggregation.ComparisonFor("e2e-10mibs", "unpinned"));
    }

    [Fact]
    public void Failed_run_among_measured_runs_only_lowers_the_measured_count()
    {
        Aggregation aggregation = new([Ok("consume-1k", "NATS", 1, 10), NotApplicable("consume-1k", "NATS", 2, "run failed"), Ok("consume-1k", "NATS", 3, 30)], "Runnel");

        var cell = Assert.Single(aggregation.Cells);
        Assert.Null(cell.NotApplicable);
        Assert.Equal((2, 3), (cell.Measured, cell.Attempts));
        Assert.Equal(20, cell.MsgsPerSec!.Value.Median);
    }

    [Fact]
    public void Rows_follow_workload_order_then_pinning_then_baseline_first()
    {
        Aggregation aggregation = new(
            [
                Ok("consume-1k", "Redis", 1, 1, pinning: "pinned"),
                Ok("produce-1k-acks1", "Redis", 1, 1, pinning: "pinned"),
                Ok("produce-1k-acks1", "Runnel", 1, 1, pinning: "unpinned"),
                Ok("produce-1k-acks1", "Runnel", 1, 1, pinning: "pinned"),
            ],
            "Runnel");

        Assert.Equal(
            ["produce-1k-acks1/pinned/Runnel", "produce-1k-acks1/pinned/Redis", "produce-1k-acks1/unpinned/Runnel", "consume-1k/pinned/Redis"],
            aggregation.Cells.Select(c => $"{c.Workload.Id}/{c.Pinning}/{c.System}"));
    }

    [Fact]
    public void Peer_with_a_caveat_is_left_out_of_the_comparison()
    {
        Aggregation aggregation = new(
            [
                Ok("consume-1k", "Runnel", 1, 100),
                Ok("consume-1k", "Redis", 1, 1000) with { Caveat = "range reads of a hot key" },
                Ok("consume-1k", "NATS", 1, 50),
            ],
            "Runnel");

        var comparison = aggregation.ComparisonFor("consume-1k", "unpinned")!;
        Assert.Equal(("NATS", 2.0), (comparison.BestPeer, comparison.Factor));
        Assert.Equal("range reads of a hot key", aggregation.Cells.Single(c => c.System == "Redis").Caveat);
    }
}
