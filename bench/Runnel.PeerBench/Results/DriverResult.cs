namespace Runnel.PeerBench.Results;

/// <summary>
/// What a load driver printed, before it is turned into a <see cref="Measurement"/>: records moved
/// (null when the driver does not say, e.g. redis-benchmark), their rate and latency percentiles in ms.
/// </summary>
internal sealed record DriverResult(long? Records, double RecordsPerSec, double? P50Ms, double? P99Ms, double? P999Ms)
{
    /// <summary>
    /// Several drivers that ran at the same time (one per producer): the rate is all their records over
    /// the slowest one's elapsed time; each percentile is the worst producer's (an upper bound, as
    /// histograms from separate processes cannot be merged from their summary lines).
    /// </summary>
    public static DriverResult Combine(IReadOnlyList<DriverResult> parts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(parts.Count);
        if (parts.Count == 1)
        {
            return parts[0];
        }

        long records = 0;
        double slowestSeconds = 0;
        foreach (var part in parts)
        {
            if (part.Records is not { } n || part.RecordsPerSec <= 0)
            {
                throw new ArgumentException("Combining concurrent drivers needs each one's record count and a positive rate.", nameof(parts));
            }

            records += n;
            slowestSeconds = Math.Max(slowestSeconds, n / part.RecordsPerSec);
        }

        return new DriverResult(records, records / slowestSeconds, Worst(parts, p => p.P50Ms), Worst(parts, p => p.P99Ms), Worst(parts, p => p.P999Ms));
    }

    /// <summary>
    /// Turns the driver's figures into a measurement. <paramref name="recordsPerOp"/> scales a
    /// per-request rate to records (redis-benchmark's XRANGE/LRANGE return that many per request);
    /// <paramref name="fallbackRecords"/> is the count asked for, used when the driver did not print one.
    /// </summary>
    public Measurement ToMeasurement(int recordSize, long fallbackRecords, double? serverCpuMs, int recordsPerOp = 1, bool keepLatency = true)
    {
        const double MiB = 1024.0 * 1024.0;
        var rate = RecordsPerSec * recordsPerOp;
        var records = (Records ?? fallbackRecords) * recordsPerOp;
        var mib = records * (double)recordSize / MiB;
        double? cpuPerMiB = serverCpuMs is { } cpu && mib > 0 ? cpu / mib : null;
        return new Measurement(
            rate,
            rate * recordSize / MiB,
            keepLatency ? P50Ms : null,
            keepLatency ? P99Ms : null,
            keepLatency ? P999Ms : null,
            cpuPerMiB);
    }

    private static double? Worst(IReadOnlyList<DriverResult> parts, Func<DriverResult, double?> select)
    {
        double? worst = null;
        foreach (var part in parts)
        {
            if (select(part) is not { } value)
            {
                return null;
            }

            worst = Math.Max(worst ?? value, value);
        }

        return worst;
    }
}
