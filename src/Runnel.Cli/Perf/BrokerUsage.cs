using System.Globalization;

namespace Runnel.Cli.Perf;

/// <summary>
/// What the broker spent during a perf run. With <c>--broker-pid</c>: CPU time (user + system) and
/// wall time over the run, the process's peak RSS (VmHWM: over its whole life, not only this run)
/// and the bytes it caused to be written to disk (<c>/proc/PID/io</c> write_bytes; null when that
/// file cannot be read). With <c>--metrics-url</c>: its garbage collector's work over the run
/// (<see cref="Runtime"/>). <see cref="BytesMoved"/> and <see cref="Records"/> are the run's payload.
/// </summary>
internal sealed record BrokerUsage(int? Pid, TimeSpan CpuTime, TimeSpan WallTime, long BytesMoved, long? PeakRssBytes)
{
    private const double MiB = 1024.0 * 1024.0;

    /// <summary>The CSV columns <see cref="CsvCells"/> fills, after each tool's own.</summary>
    public static readonly string[] CsvHeader =
    [
        "broker_cpu_ms_per_mib", "broker_cores", "broker_peak_rss_mib",
        "broker_disk_write_bytes_per_payload_byte", "broker_gc_gen0", "broker_gc_gen1", "broker_gc_gen2",
        "broker_gc_pause_ms", "broker_alloc_bytes_per_record", "broker_requests_per_sec", "broker_cpu_us_per_request",
        "broker_jit_methods", "broker_jit_ms",
    ];

    /// <summary>Bytes the broker process caused to be written to storage during the run; null when unknown.</summary>
    public long? DiskWriteBytes { get; init; }

    /// <summary>Records the run moved (for allocation per record).</summary>
    public long Records { get; init; }

    /// <summary>The broker's GC work during the run (from <c>--metrics-url</c>); null without it.</summary>
    public BrokerRuntimeCounters? Runtime { get; init; }

    /// <summary>Broker CPU milliseconds per MiB of payload moved; null when nothing moved or no pid.</summary>
    public double? CpuMsPerMiB => Pid is not null && BytesMoved > 0 ? CpuTime.TotalMilliseconds / (BytesMoved / MiB) : null;

    /// <summary>Average number of cores busy: CPU time over wall time.</summary>
    public double Cores => WallTime > TimeSpan.Zero ? CpuTime / WallTime : 0;

    public double? PeakRssMiB => PeakRssBytes / MiB;

    /// <summary>Disk bytes written per payload byte moved (write amplification as the kernel counts it); null when unknown.</summary>
    public double? DiskWritePerPayloadByte => DiskWriteBytes is long written && BytesMoved > 0 ? (double)written / BytesMoved : null;

    /// <summary>Managed bytes the broker allocated per record moved; null without metrics or records.</summary>
    public double? AllocatedBytesPerRecord => Runtime is { } runtime && Records > 0 ? runtime.AllocatedBytes / Records : null;

    /// <summary>Requests of every API the broker received per second of the run; null without request counts.</summary>
    public double? RequestsPerSecond => Runtime?.Requests is { Count: > 0 } requests && WallTime > TimeSpan.Zero
        ? requests.Values.Sum() / WallTime.TotalSeconds
        : null;

    /// <summary>
    /// Broker CPU microseconds per request received (a pid and request counts needed): what a request
    /// costs when requests are small and many (the 100-connection workload).
    /// </summary>
    public double? CpuMicrosecondsPerRequest => Pid is not null && Runtime?.Requests is { Count: > 0 } requests
        ? CpuTime.TotalMicroseconds / requests.Values.Sum()
        : null;

    /// <summary>
    /// The process line (with a pid): <c>Broker pid 7: 5.86 CPU ms/MiB, 1.50 cores (3000 ms CPU in
    /// 2000 ms), peak RSS 256.0 MiB, disk writes 1.02 bytes/payload byte (30720 bytes).</c>
    /// </summary>
    public string Format() => string.Create(
        CultureInfo.InvariantCulture,
        $"Broker pid {Pid}: {Optional(CpuMsPerMiB, "F2")} CPU ms/MiB, {Cores:F2} cores ({CpuTime.TotalMilliseconds:F0} ms CPU in {WallTime.TotalMilliseconds:F0} ms), peak RSS {Optional(PeakRssMiB, "F1", " MiB")}, disk writes {Optional(DiskWritePerPayloadByte, "F2", " bytes/payload byte")}{(DiskWriteBytes is long written ? $" ({written} bytes)" : string.Empty)}.");

    /// <summary>
    /// The GC line (with <c>--metrics-url</c>): <c>Broker pid 7 GC: gen0 4, gen1 1, gen2 0
    /// collections, 3.250 ms paused, 812.5 bytes allocated/record (1.6 MiB); JIT: 112 methods
    /// compiled in 48.3 ms.</c> (<c>Broker GC:</c> without a pid; the JIT part only from a broker
    /// that exports it). Compilation during a run is code ReadyToRun did not cover, paid by the
    /// requests that first reached it.
    /// </summary>
    public string? FormatRuntime() => Runtime is not { } runtime ? null : string.Create(
        CultureInfo.InvariantCulture,
        $"{(Pid is null ? "Broker GC" : $"Broker pid {Pid} GC")}: gen0 {runtime.Gen0Collections:F0}, gen1 {runtime.Gen1Collections:F0}, gen2 {runtime.Gen2Collections:F0} collections, {runtime.PauseSeconds * 1000:F3} ms paused, {Optional(AllocatedBytesPerRecord, "F1")} bytes allocated/record ({runtime.AllocatedBytes / MiB:F1} MiB){Jit(runtime)}.");

    private static string Jit(BrokerRuntimeCounters runtime) => runtime is { JitCompiledMethods: double methods, JitSeconds: double seconds }
        ? string.Create(CultureInfo.InvariantCulture, $"; JIT: {methods:F0} methods compiled in {seconds * 1000:F1} ms")
        : string.Empty;

    /// <summary>
    /// The request line (with request counts from <c>--metrics-url</c>), busiest API first:
    /// <c>Broker pid 7 requests: 21000.0/s (Produce 20000.0/s, Fetch 1000.0/s), 42.9 µs CPU per request.</c>
    /// </summary>
    public string? FormatRequests()
    {
        if (Runtime?.Requests is not { Count: > 0 } requests || WallTime <= TimeSpan.Zero)
        {
            return null;
        }

        var seconds = WallTime.TotalSeconds;
        var perApi = string.Join(", ", requests.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value / seconds:F1}/s")));
        var cpu = CpuMicrosecondsPerRequest is double us ? string.Create(CultureInfo.InvariantCulture, $", {us:F1} µs CPU per request") : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{(Pid is null ? "Broker requests" : $"Broker pid {Pid} requests")}: {RequestsPerSecond:F1}/s ({perApi}){cpu}.");
    }

    /// <summary>
    /// The request-time line (with request-time histograms from <c>--metrics-url</c>), busiest API
    /// first, percentiles as bucket upper bounds: <c>Broker pid 7 request time: Produce p50 ≤ 0.1 ms,
    /// p99 ≤ 1 ms, p99.9 ≤ 2.5 ms; Fetch p50 ≤ 0.25 ms, p99 ≤ 1 ms, p99.9 ≤ 1 ms.</c>
    /// </summary>
    public string? FormatRequestTimes()
    {
        if (Runtime?.RequestTimes is not { Count: > 0 } times)
        {
            return null;
        }

        var perApi = string.Join("; ", times.OrderByDescending(t => t.Value.Count).ThenBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => $"{t.Key} p50 {Bound(t.Value.Percentile(0.50))}, p99 {Bound(t.Value.Percentile(0.99))}, p99.9 {Bound(t.Value.Percentile(0.999))}"));
        return $"{(Pid is null ? "Broker request time" : $"Broker pid {Pid} request time")}: {perApi}.";
    }

    private static string Bound(double seconds) =>
        double.IsPositiveInfinity(seconds) ? "> the largest bucket" : "≤ " + (seconds * 1000).ToString("0.###", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Writes the process line (with a pid), the GC line, the request line and the request-time line (with metrics).</summary>
    public void WriteTo(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Pid is not null)
        {
            output.WriteLine(Format());
        }

        if (FormatRuntime() is { } runtime)
        {
            output.WriteLine(runtime);
        }

        if (FormatRequests() is { } requests)
        {
            output.WriteLine(requests);
        }

        if (FormatRequestTimes() is { } times)
        {
            output.WriteLine(times);
        }
    }

    /// <summary>The values of <see cref="CsvHeader"/>'s columns; empty cells for what was not measured.</summary>
    public static object?[] CsvCells(BrokerUsage? usage) =>
    [
        usage?.CpuMsPerMiB, usage?.Pid is null ? null : usage.Cores, usage?.PeakRssMiB,
        usage?.DiskWritePerPayloadByte, usage?.Runtime?.Gen0Collections, usage?.Runtime?.Gen1Collections, usage?.Runtime?.Gen2Collections,
        usage?.Runtime?.PauseSeconds * 1000, usage?.AllocatedBytesPerRecord, usage?.RequestsPerSecond, usage?.CpuMicrosecondsPerRequest,
        usage?.Runtime?.JitCompiledMethods, usage?.Runtime?.JitSeconds * 1000,
    ];

    private static string Optional(double? value, string format, string unit = "") =>
        value is double v ? v.ToString(format, CultureInfo.InvariantCulture) + unit : "n/a";
}
