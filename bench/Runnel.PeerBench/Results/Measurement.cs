namespace Runnel.PeerBench.Results;

/// <summary>
/// What one run of one workload measured. Rates count records (messages, stream entries, list
/// elements), MiB are payload bytes only; latencies are in milliseconds and null where the driver
/// does not report that percentile; CPU is the server's utime+stime per payload MiB moved.
/// </summary>
internal sealed record Measurement(
    double MsgsPerSec,
    double MiBPerSec,
    double? P50Ms,
    double? P99Ms,
    double? P999Ms,
    double? CpuMsPerMiB);
