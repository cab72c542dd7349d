namespace Runnel.PeerBench.Results;

/// <summary>
/// The baseline's standing against the best peer in one workload and pinning mode, as a factor
/// where above 1 means the baseline did better: its median rate over the best peer's for throughput
/// workloads, the best peer's median p99 over its own for latency workloads.
/// </summary>
internal sealed record Comparison(double Factor, string BestPeer, RankBy RankBy);
