using System.Globalization;
using System.Runtime.InteropServices;

namespace Runnel.Cli.Perf;

/// <summary>
/// Reads a Linux process's CPU time, peak memory and disk writes from procfs (proc(5)):
/// <c>/proc/PID/stat</c> fields 14 and 15 (utime, stime, in clock ticks), <c>VmHWM</c> (peak
/// resident set size, kB) in <c>/proc/PID/status</c>, and <c>write_bytes</c> in <c>/proc/PID/io</c>.
/// </summary>
internal static partial class ProcStat
{
    private const int SysconfClockTicks = 2; // _SC_CLK_TCK in glibc and musl

    /// <summary>Clock ticks per second (<c>sysconf(_SC_CLK_TCK)</c>), 100 on practically every Linux.</summary>
    public static long ClockTicksPerSecond { get; } = ReadClockTicksPerSecond();

    /// <summary>
    /// Parses utime + stime from the text of <c>/proc/PID/stat</c>. The command name (field 2) is in
    /// parentheses and may itself contain spaces and parentheses, so fields are counted from the last ')'.
    /// </summary>
    public static bool TryParseCpuTicks(string statText, out long userTicks, out long systemTicks)
    {
        userTicks = 0;
        systemTicks = 0;
        int close = statText.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        // After ") " come fields 3 (state), 4 (ppid), ...: field n is at index n - 3.
        string[] fields = statText[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int UserIndex = 14 - 3;
        const int SystemIndex = 15 - 3;
        return fields.Length > SystemIndex
            && long.TryParse(fields[UserIndex], NumberStyles.None, CultureInfo.InvariantCulture, out userTicks)
            && long.TryParse(fields[SystemIndex], NumberStyles.None, CultureInfo.InvariantCulture, out systemTicks);
    }

    /// <summary>Parses a <c>Name:   123 kB</c> line (e.g. VmHWM, VmRSS) of <c>/proc/PID/status</c>, in KiB.</summary>
    public static bool TryParseStatusKiB(string statusText, string field, out long kib)
    {
        kib = 0;
        foreach (string line in statusText.Split('\n'))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal) || line.Length <= field.Length || line[field.Length] != ':')
            {
                continue;
            }

            string[] parts = line[(field.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out kib);
        }

        return false;
    }

    /// <summary>
    /// Parses a <c>name: 123</c> line of <c>/proc/PID/io</c> (rchar, wchar, syscr, syscw, read_bytes,
    /// write_bytes, cancelled_write_bytes). <c>write_bytes</c> counts what the process caused to be sent
    /// to the storage layer: the kernel charges it when the process dirties a page-cache page, so it
    /// counts pages (a page rewritten while still dirty counts once) whether or not they were flushed yet.
    /// </summary>
    public static bool TryParseIoField(string ioText, string field, out long value)
    {
        value = 0;
        foreach (string line in ioText.Split('\n'))
        {
            if (line.Length > field.Length && line.StartsWith(field, StringComparison.Ordinal) && line[field.Length] == ':')
            {
                return long.TryParse(line.AsSpan(field.Length + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
            }
        }

        return false;
    }

    private static long ReadClockTicksPerSecond()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 100;
        }

        try
        {
            long ticks = Sysconf(SysconfClockTicks);
            return ticks > 0 ? ticks : 100;
        }
        catch (DllNotFoundException)
        {
            return 100;
        }
        catch (EntryPointNotFoundException)
        {
            return 100;
        }
    }

    [DllImport("libc", EntryPoint = "sysconf")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long Sysconf(int name);
}
