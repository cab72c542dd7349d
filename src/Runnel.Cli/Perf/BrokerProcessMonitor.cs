using System.Diagnostics;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf;

/// <summary>
/// Samples a broker process's CPU time at the start and end of a perf run (<c>--broker-pid</c>), from
/// <c>/proc/PID/stat</c>, and its peak RSS from <c>/proc/PID/status</c>. Linux only.
/// </summary>
internal sealed class BrokerProcessMonitor
{
    private readonly int _pid;
    private readonly long _startTicks;
    private readonly long _startTimestamp;

    private BrokerProcessMonitor(int pid, long startTicks)
    {
        _pid = pid;
        _startTicks = startTicks;
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    public static BrokerProcessMonitor Start(int pid) => new(pid, ReadCpuTicks(pid));

    public BrokerUsage Stop(long bytesMoved)
    {
        long endTicks = ReadCpuTicks(_pid);
        TimeSpan wall = Stopwatch.GetElapsedTime(_startTimestamp);
        TimeSpan cpu = TimeSpan.FromSeconds((double)(endTicks - _startTicks) / ProcStat.ClockTicksPerSecond);
        long? peakRss = ProcStat.TryParseStatusKiB(Read(_pid, "status"), "VmHWM", out long kib) ? kib * 1024 : null;
        return new BrokerUsage(_pid, cpu, wall, bytesMoved, peakRss);
    }

    private static long ReadCpuTicks(int pid)
    {
        string stat = Read(pid, "stat");
        return ProcStat.TryParseCpuTicks(stat, out long user, out long system)
            ? user + system
            : throw new ToolException($"Cannot parse /proc/{pid}/stat.");
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
