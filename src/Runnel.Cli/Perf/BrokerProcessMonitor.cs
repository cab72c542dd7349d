using System.Diagnostics;
using Runnel.Cli.Kafka;
using Runnel.Cli.Metrics;

namespace Runnel.Cli.Perf;

/// <summary>
/// Measures what the broker spends over a perf run. With <c>--broker-pid</c> (Linux only): its CPU
/// time from <c>/proc/PID/stat</c> and its disk writes from <c>/proc/PID/io</c> at the start and end,
/// and its peak RSS from <c>/proc/PID/status</c>. With <c>--metrics-url</c>: its GC counters, scraped
/// from its Prometheus endpoint at the start and end (see <see cref="BrokerRuntimeCounters"/>).
/// </summary>
/// <remarks>
/// <c>/proc/PID/io</c> is readable only by the process's owner (or root); when it cannot be read
/// the disk figure is reported as n/a rather than failing the run. A scrape that fails does fail it:
/// the URL was asked for.
/// </remarks>
internal sealed class BrokerProcessMonitor
{
    private static readonly TimeSpan s_scrapeTimeout = TimeSpan.FromSeconds(10);

    private readonly int? _pid;
    private readonly Uri? _metricsUrl;
    private readonly long _startTicks;
    private readonly long? _startWriteBytes;
    private readonly BrokerRuntimeCounters? _startRuntime;
    private readonly long _startTimestamp;

    private BrokerProcessMonitor(int? pid, Uri? metricsUrl, CancellationToken cancellationToken)
    {
        _pid = pid;
        _metricsUrl = metricsUrl;
        if (pid is int p)
        {
            _startTicks = ReadCpuTicks(p);
            _startWriteBytes = TryReadWriteBytes(p);
        }

        _startRuntime = metricsUrl is null ? null : Scrape(metricsUrl, cancellationToken);
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    public static BrokerProcessMonitor Start(int pid) => new(pid, null, CancellationToken.None);

    /// <summary>Starts measuring; null when neither a pid nor a metrics URL is given.</summary>
    public static BrokerProcessMonitor? Start(int? pid, string? metricsUrl, CancellationToken cancellationToken) =>
        pid is null && metricsUrl is null ? null : new(pid, metricsUrl is null ? null : MetricsScrape.ResolveUrl(metricsUrl), cancellationToken);

    public BrokerUsage Stop(long bytesMoved) => Stop(bytesMoved, 0, CancellationToken.None);

    /// <summary>Ends the measurement: <paramref name="bytesMoved"/> payload bytes in <paramref name="records"/> records.</summary>
    public BrokerUsage Stop(long bytesMoved, long records, CancellationToken cancellationToken)
    {
        TimeSpan wall = Stopwatch.GetElapsedTime(_startTimestamp);
        BrokerRuntimeCounters? runtime = _metricsUrl is null || _startRuntime is null ? null : Scrape(_metricsUrl, cancellationToken).Minus(_startRuntime);
        if (_pid is not int pid)
        {
            return new BrokerUsage(null, TimeSpan.Zero, wall, bytesMoved, null) { Records = records, Runtime = runtime };
        }

        long endTicks = ReadCpuTicks(pid);
        long? endWriteBytes = TryReadWriteBytes(pid);
        TimeSpan cpu = TimeSpan.FromSeconds((double)(endTicks - _startTicks) / ProcStat.ClockTicksPerSecond);
        long? peakRss = ProcStat.TryParseStatusKiB(Read(pid, "status"), "VmHWM", out long kib) ? kib * 1024 : null;
        return new BrokerUsage(pid, cpu, wall, bytesMoved, peakRss)
        {
            DiskWriteBytes = endWriteBytes - _startWriteBytes,
            Records = records,
            Runtime = runtime,
        };
    }

    private static BrokerRuntimeCounters Scrape(Uri url, CancellationToken cancellationToken) =>
        BrokerRuntimeCounters.FromSamples(MetricsScrape.Read(url, s_scrapeTimeout, cancellationToken), url);

    private static long ReadCpuTicks(int pid)
    {
        string stat = Read(pid, "stat");
        return ProcStat.TryParseCpuTicks(stat, out long user, out long system)
            ? user + system
            : throw new ToolException($"Cannot parse /proc/{pid}/stat.");
    }

    private static long? TryReadWriteBytes(int pid)
    {
        try
        {
            return ProcStat.TryParseIoField(File.ReadAllText($"/proc/{pid}/io"), "write_bytes", out long bytes) ? bytes : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Read(int pid, string file)
    {
        string path = $"/proc/{pid}/{file}";
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ToolException($"--broker-pid {pid}: cannot read {path} ({e.Message}). Is the broker running on this Linux machine?", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ToolException($"--broker-pid {pid}: cannot read {path} ({e.Message}).", e);
        }
    }
}
