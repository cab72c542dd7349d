using System.Diagnostics;
using System.Globalization;

namespace Runnel.Cli.Perf;

/// <summary>
/// The live progress of a perf run. On an interactive terminal one line rewritten in place
/// (<c>\r</c>) every <see cref="InteractiveRefresh"/>; otherwise (output redirected to a file or a
/// pipe, or a test's writer) one line per reporting interval, as Kafka's tools print theirs.
/// <see cref="Clear"/> wipes the in-place line before the tool writes anything else, so final
/// summaries always start at the beginning of their own line.
/// </summary>
/// <remarks>Not thread-safe: one thread (or the caller's lock) reports.</remarks>
internal sealed class PerfProgress
{
    /// <summary>How often the in-place line is redrawn: often enough to look live, rarely enough to cost nothing.</summary>
    public static readonly TimeSpan InteractiveRefresh = TimeSpan.FromMilliseconds(500);

    private readonly TextWriter _writer;
    private long _last;
    private int _shownLength;

    public PerfProgress(TextWriter writer, bool interactive, TimeSpan reportingInterval, long startTimestamp)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        Interactive = interactive;
        IntervalTicks = (long)((interactive ? InteractiveRefresh : reportingInterval).TotalSeconds * Stopwatch.Frequency);
        _last = startTimestamp;
    }

    /// <summary>True when the line is rewritten in place.</summary>
    public bool Interactive { get; }

    /// <summary>Stopwatch ticks between two reports.</summary>
    public long IntervalTicks { get; }

    /// <summary>When the last report was made (or the run started).</summary>
    public long LastTimestamp => _last;

    /// <summary>
    /// True when <paramref name="writer"/> is this process's standard output and that is a terminal.
    /// </summary>
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>True when a report is due at <paramref name="nowTimestamp"/>.</summary>
    public bool IsDue(long nowTimestamp) => nowTimestamp - _last >= IntervalTicks;

    /// <summary>Shows <paramref name="line"/> and starts the next interval at <paramref name="nowTimestamp"/>.</summary>
    public void Report(string line, long nowTimestamp)
    {
        ArgumentNullException.ThrowIfNull(line);
        _last = nowTimestamp;
        if (!Interactive)
        {
            _writer.WriteLine(line);
            return;
        }

        // Pad over the end of a longer previous line.
        _writer.Write('\r');
        _writer.Write(line);
        if (_shownLength > line.Length)
        {
            _writer.Write(new string(' ', _shownLength - line.Length));
        }

        _shownLength = line.Length;
        _writer.Flush();
    }

    /// <summary>Wipes the in-place line, if one is shown, leaving the cursor at the start of the line.</summary>
    public void Clear()
    {
        if (_shownLength == 0)
        {
            return;
        }

        _writer.Write('\r');
        _writer.Write(new string(' ', _shownLength));
        _writer.Write('\r');
        _writer.Flush();
        _shownLength = 0;
    }

    /// <summary>
    /// The progress line: <c>N records, X records/sec (Y MB/sec)</c> (<c>%d</c>, <c>%.1f</c>,
    /// <c>%.2f</c>, MB = 2^20 bytes) and what the tool adds (<paramref name="tail"/>, e.g. <c>, p99 1.234 ms</c>).
    /// </summary>
    public static string Format(long records, long intervalRecords, long intervalBytes, double intervalMs, string tail)
    {
        double seconds = Math.Max(1, intervalMs) / 1000.0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{records} records, {intervalRecords / seconds:F1} records/sec ({intervalBytes / seconds / (1024.0 * 1024.0):F2} MB/sec){tail}");
    }
}
