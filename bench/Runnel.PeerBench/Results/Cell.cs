namespace Runnel.PeerBench.Results;

/// <summary>
/// One row of the table: a workload, pinning mode and system over all its runs. A figure is null
/// when no run reported it; <paramref name="Measured"/> of <paramref name="Attempts"/> runs gave figures. <see cref="NotApplicable"/> is set when no run was measured; <see cref="Caveat"/> when a measured
/// run carried one (the row is then left out of the comparison with the best peer).
/// </summary>
internal sealed record Cell(
    Workload Workload,
    string Pinning,
    string System,
    int Measured,
    int Attempts,
    Stat? MsgsPerSec,
    Stat? MiBPerSec,
    Stat? P50Ms,
    Stat? P99Ms,
    Stat? P999Ms,
    Stat? CpuMsPerMiB,
    string? NotApplicable,
    string? Caveat = null);
