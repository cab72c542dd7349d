using System.Globalization;
using System.Text;

namespace Runnel.PeerBench.Results;

/// <summary>
/// Renders an <see cref="Aggregation"/> as one table, aligned text for the terminal or Markdown for
/// bench/RESULTS.md. Each figure is the median over runs, followed by the range (min–max) when there
/// was more than one run. Cells that could not be measured say "n/a" with a numbered footnote; a
/// system whose figures carry a caveat has the caveat's footnote number after its name.
/// </summary>
internal sealed class ResultTable
{
    private static readonly string[] s_headers =
        ["workload", "pinning", "system", "msg/s", "MiB/s", "p50 ms", "p99 ms", "p99.9 ms", "server CPU ms/MiB", "vs best peer"];

    private readonly List<string[]> _rows = [];
    private readonly List<string> _footnotes = [];

    public ResultTable(Aggregation aggregation)
    {
        foreach (var cell in aggregation.Cells)
        {
            var system = cell.Measured < cell.Attempts && cell.Measured > 0
                ? $"{cell.System} ({cell.Measured} of {cell.Attempts} runs)"
                : cell.System;
            if (cell.NotApplicable is null && cell.Caveat is { } caveat)
            {
                system += $" [{Footnote(caveat)}]";
            }

            string[] head = [cell.Workload.Title, cell.Pinning, system];
            if (cell.NotApplicable is { } reason)
            {
                var note = $"n/a [{Footnote(reason)}]";
                _rows.Add([.. head, note, "", "", "", "", "", ""]);
                continue;
            }

            _rows.Add([
                .. head,
                Format(cell.MsgsPerSec, "N0"),
                Format(cell.MiBPerSec, "F1"),
                Format(cell.P50Ms, "F2"),
                Format(cell.P99Ms, "F2"),
                Format(cell.P999Ms, "F2"),
                Format(cell.CpuMsPerMiB, "F2"),
                aggregation.IsBaseline(cell.System) ? FormatComparison(aggregation.ComparisonFor(cell.Workload.Id, cell.Pinning, cell.System)) : "",
            ]);
        }
    }

    public IReadOnlyList<string[]> Rows => _rows;

    public IReadOnlyList<string> Footnotes => _footnotes;

    /// <summary>Space-aligned columns, then the footnotes.</summary>
    public string ToText()
    {
        var widths = new int[s_headers.Length];
        foreach (var row in _rows.Prepend(s_headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        StringBuilder text = new();
        AppendTextRow(text, s_headers, widths);
        AppendTextRow(text, [.. widths.Select(w => new string('-', w))], widths);
        foreach (var row in _rows)
        {
            AppendTextRow(text, row, widths);
        }

        AppendFootnotes(text, "");
        return text.ToString();
    }

    /// <summary>A Markdown table (numbers right-aligned), then the footnotes as a list.</summary>
    public string ToMarkdown()
    {
        StringBuilder text = new();
        text.Append("| ").AppendJoin(" | ", s_headers).Append(" |\n");
        text.Append("|---|---|---|").Append(string.Concat(Enumerable.Repeat("---:|", s_headers.Length - 3))).Append('\n');
        foreach (var row in _rows)
        {
            text.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");
        }

        AppendFootnotes(text, "- ");
        return text.ToString();
    }

    private void AppendFootnotes(StringBuilder text, string bullet)
    {
        if (_footnotes.Count == 0)
        {
            return;
        }

        text.Append('\n');
        for (var i = 0; i < _footnotes.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{bullet}[{i + 1}] {_footnotes[i]}\n");
        }
    }

    private int Footnote(string reason)
    {
        var index = _footnotes.IndexOf(reason);
        if (index < 0)
        {
            _footnotes.Add(reason);
            index = _footnotes.Count - 1;
        }

        return index + 1;
    }

    private static void AppendTextRow(StringBuilder text, string[] row, int[] widths)
    {
        for (var i = 0; i < row.Length; i++)
        {
            // Text columns left-aligned, figures right-aligned.
            text.Append(i < 3 ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
            text.Append(i == row.Length - 1 ? "\n" : "  ");
        }
    }

    internal static string Format(Stat? stat, string format)
    {
        if (stat is not { } s)
        {
            return "-";
        }

        var median = s.Median.ToString(format, CultureInfo.InvariantCulture);
        return s.Count == 1
            ? median
            : $"{median} ({s.Min.ToString(format, CultureInfo.InvariantCulture)}–{s.Max.ToString(format, CultureInfo.InvariantCulture)})";
    }

    internal static string FormatComparison(Comparison? comparison) => comparison is null
        ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"{comparison.Factor:F2}× {(comparison.RankBy == RankBy.Latency ? "p99 " : "")}vs {comparison.BestPeer}");
}
