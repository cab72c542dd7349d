using System.Globalization;
using System.Text;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf;

/// <summary>
/// Appends one summary row per run to a CSV file (<c>--csv FILE</c>), writing the header first when
/// the file is new or empty. Produce and consume rows have different columns: use one file per tool.
/// </summary>
internal static class PerfCsv
{
    public static void Append(string path, IReadOnlyList<string> header, IReadOnlyList<object?> row)
    {
        try
        {
            bool writeHeader = !File.Exists(path) || new FileInfo(path).Length == 0;
            StringBuilder text = new();
            if (writeHeader)
            {
                AppendLine(text, header);
            }

            List<string> cells = new(row.Count);
            foreach (object? value in row)
            {
                cells.Add(FormatCell(value));
            }

            AppendLine(text, cells);
            File.AppendAllText(path, text.ToString());
        }
        catch (IOException e)
        {
            throw new ToolException($"Cannot append to CSV file '{path}': {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ToolException($"Cannot append to CSV file '{path}': {e.Message}", e);
        }
    }

    internal static string FormatCell(object? value) => value switch
    {
        null => string.Empty,
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(value.ToString() ?? string.Empty),
    };

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static void AppendLine(StringBuilder text, IReadOnlyList<string> cells)
    {
        for (int i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(cells[i]);
        }

        text.Append('\n');
    }
}
