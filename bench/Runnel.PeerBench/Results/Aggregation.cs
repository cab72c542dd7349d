namespace Runnel.PeerBench.Results;

/// <summary>
/// Groups samples into cells (median and range over runs) and compares each baseline system with
/// the best peer per workload and pinning mode. Baselines are Runnel measured different ways (its
/// librdkafka tools, its wire clients): each is compared with the peers, never with another
/// baseline. Rows come in <see cref="Workload.All"/> order, then pinning mode and system in order of
/// first appearance, baselines first.
/// </summary>
internal sealed class Aggregation
{
    private readonly Dictionary<(string Workload, string Pinning, string System), Comparison?> _comparisons = [];

    public Aggregation(IReadOnlyList<Sample> samples, params IReadOnlyList<string> baselines)
    {
        if (baselines.Count == 0)
        {
            throw new ArgumentException("At least one baseline system is needed.", nameof(baselines));
        }

        Baselines = baselines;
        List<string> pinnings = [];
        List<string> systems = [.. baselines];
        foreach (var sample in samples)
        {
            AddOnce(pinnings, sample.Pinning);
            AddOnce(systems, sample.System);
        }

        List<string> workloadIds = [.. Workload.All.Select(w => w.Id).Where(id => samples.Any(s => s.Workload == id))];
        foreach (var sample in samples)
        {
            AddOnce(workloadIds, sample.Workload);
        }

        List<Cell> cells = [];
        foreach (var workloadId in workloadIds)
        {
            foreach (var pinning in pinnings)
            {
                foreach (var system in systems)
                {
                    var runs = samples.Where(s => s.Workload == workloadId && s.Pinning == pinning && s.System == system).ToList();
                    if (runs.Count > 0)
                    {
                        cells.Add(ToCell(Workload.Find(workloadId), pinning, system, runs));
                    }
                }
            }
        }

        Cells = cells;
        foreach (var group in cells.GroupBy(c => (c.Workload.Id, c.Pinning)))
        {
            List<Cell> groupCells = [.. group];
            foreach (var baseline in baselines)
            {
                _comparisons[(group.Key.Id, group.Key.Pinning, baseline)] = Compare(groupCells, baseline);
            }
        }
    }

    /// <summary>The systems compared with the best peer; the first is the main one.</summary>
    public IReadOnlyList<string> Baselines { get; }

    public IReadOnlyList<Cell> Cells { get; }

    public bool IsBaseline(string system) => Baselines.Contains(system);

    /// <summary>The first baseline against the best peer for this workload and pinning, or null if either has no figure.</summary>
    public Comparison? ComparisonFor(string workloadId, string pinning) => ComparisonFor(workloadId, pinning, Baselines[0]);

    /// <summary>Baseline <paramref name="system"/> against the best peer for this workload and pinning, or null if either has no figure.</summary>
    public Comparison? ComparisonFor(string workloadId, string pinning, string system) =>
        _comparisons.TryGetValue((workloadId, pinning, system), out var comparison) ? comparison : null;

    private Comparison? Compare(List<Cell> cells, string baselineSystem)
    {
        var baseline = cells.Find(c => c.System == baselineSystem);
        if (baseline is null)
        {
            return null;
        }

        var rankBy = baseline.Workload.RankBy;
        Cell? best = null;
        foreach (var peer in cells)
        {
            if (IsBaseline(peer.System) || peer.Caveat is not null || Figure(peer, rankBy) is not { } value)
            {
                continue;
            }

            var bestValue = best is null ? (double?)null : Figure(best, rankBy);
            if (bestValue is null || (rankBy == RankBy.Throughput ? value > bestValue : value < bestValue))
            {
                best = peer;
            }
        }

        if (best is null || Figure(baseline, rankBy) is not { } own || Figure(best, rankBy) is not { } theirs || own <= 0 || theirs <= 0)
        {
            return null;
        }

        return new Comparison(rankBy == RankBy.Throughput ? own / theirs : theirs / own, best.System, rankBy);
    }

    private static double? Figure(Cell cell, RankBy rankBy) =>
        rankBy == RankBy.Throughput ? cell.MsgsPerSec?.Median : cell.P99Ms?.Median;

    private static Cell ToCell(Workload workload, string pinning, string system, List<Sample> runs)
    {
        List<Measurement> measured = [.. runs.Where(r => r.Measurement is not null).Select(r => r.Measurement!)];
        var reason = measured.Count > 0 ? null : runs[0].NotApplicable ?? "not measured";
        return new Cell(
            workload,
            pinning,
            system,
            measured.Count,
            runs.Count,
            Stat.Of(measured.Select(m => m.MsgsPerSec)),
            Stat.Of(measured.Select(m => m.MiBPerSec)),
            Stat.Of(measured.Where(m => m.P50Ms is not null).Select(m => m.P50Ms!.Value)),
            Stat.Of(measured.Where(m => m.P99Ms is not null).Select(m => m.P99Ms!.Value)),
            Stat.Of(measured.Where(m => m.P999Ms is not null).Select(m => m.P999Ms!.Value)),
            Stat.Of(measured.Where(m => m.CpuMsPerMiB is not null).Select(m => m.CpuMsPerMiB!.Value)),
            reason,
            runs.Find(r => r.Measurement is not null && r.Caveat is not null)?.Caveat);
    }

    private static void AddOnce(List<string> list, string value)
    {
        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }
}
