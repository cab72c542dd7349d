using System.Globalization;

namespace Runnel.Cli.Perf;

/// <summary>
/// What the broker process spent during a perf run: CPU time (user + system) and wall time over the
/// run, the payload bytes the run moved, and the process's peak RSS (VmHWM: over its whole life, not
/// only this run).
/// </summary>
internal sealed record BrokerUsage(int Pid, TimeSpan CpuTime, TimeSpan WallTime, long BytesMoved, long? PeakRssBytes)
{
    private const double MiB = 1024.0 * 1024.0;

    /// <summary>Broker CPU milliseconds per MiB of payload moved; null when nothing moved.</summary>
    public double? CpuMsPerMiB => BytesMoved > 0 ? CpuTime.TotalMilliseconds / (BytesMoved / MiB) : null;

    /// <summary>Average number of cores busy: CPU time over wall time.</summary>
    public double Cores => WallTime > TimeSpan.Zero ? CpuTime / WallTime : 0;

    public double? PeakRssMiB => PeakRssBytes / MiB;

    public string Format() => string.Create(
        CultureInfo.InvariantCulture,
        $"Broker pid {Pid}: {(CpuMsPerMiB is double perMiB ? perMiB.ToString("F2", CultureInfo.InvariantCulture) : "n/a")} CPU ms/MiB, {Cores:F2} cores ({CpuTime.TotalMilliseconds:F0} ms CPU in {WallTime.TotalMilliseconds:F0} ms), peak RSS {(PeakRssMiB is double rss ? rss.ToString("F1", CultureInfo.InvariantCulture) + " MiB" : "n/a")}.");
}
