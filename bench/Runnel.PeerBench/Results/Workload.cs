namespace Runnel.PeerBench.Results;

/// <summary>How a workload ranks systems: by records per second, or by p99 latency (lower is better).</summary>
internal enum RankBy
{
    Throughput,
    Latency,
}

/// <summary>
/// A workload of the peer benchmark: the id <c>bench/run.sh</c> writes into the samples file, the
/// title the table shows, and how it ranks systems. The list's order is the table's row order.
/// </summary>
internal sealed record Workload(string Id, string Title, RankBy RankBy)
{
    public static IReadOnlyList<Workload> All { get; } =
    [
        new("produce-1k-acks1", "produce 1 KiB, acks=1", RankBy.Throughput),
        new("produce-100b-acks1", "produce 100 B, acks=1", RankBy.Throughput),
        new("produce-1k-acksall", "produce 1 KiB, acks=-1", RankBy.Throughput),
        new("produce-1k-fsync-4p", "produce 1 KiB, acks=-1, fsync before ack, 4 producers", RankBy.Throughput),
        new("consume-1k", "consume 1 KiB (backlog)", RankBy.Throughput),
        new("consume-100b", "consume 100 B (backlog)", RankBy.Throughput),
        new("e2e-10mibs", "end-to-end latency, 1 KiB acks=-1 at 10 MiB/s", RankBy.Latency),
        new("roundtrip", "single-record round trip", RankBy.Latency),
    ];

    /// <summary>The known workload with this id, or a throughput workload titled by its id.</summary>
    public static Workload Find(string id)
    {
        foreach (var workload in All)
        {
            if (workload.Id == id)
            {
                return workload;
            }
        }

        return new Workload(id, id, RankBy.Throughput);
    }
}
