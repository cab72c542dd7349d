using System.Globalization;
using System.Text;

namespace Runnel.Cli.Metrics;

/// <summary>
/// Reads the Prometheus text exposition format 0.0.4 (what a <c>/metrics</c> endpoint serves):
/// one sample per line, <c>name{label="value",...} value [timestamp]</c>. Comment lines
/// (<c># HELP</c>, <c># TYPE</c> and any other <c>#</c> line) and blank lines are skipped; label
/// values are unescaped (<c>\\</c>, <c>\"</c>, <c>\n</c>); values may be <c>NaN</c>, <c>+Inf</c>
/// or <c>-Inf</c> as well as numbers. Anything else is a <see cref="FormatException"/> naming the
/// line, so a scrape of the wrong URL (an HTML page, say) is reported rather than read as nothing.
/// </summary>
internal static class PrometheusTextParser
{
    /// <summary>Every sample of <paramref name="text"/>, in order.</summary>
    public static List<PrometheusSample> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<PrometheusSample> samples = [];
        int lineNumber = 0;
        foreach (string rawLine in text.Split('\n'))
        {
            lineNumber++;
            string line = rawLine.TrimEnd('\r').Trim(' ', '\t');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            try
            {
                samples.Add(ParseSample(line));
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {lineNumber.ToString(CultureInfo.InvariantCulture)}: {e.Message}", e);
            }
        }

        return samples;
    }

    private static PrometheusSample ParseSample(string line)
    {
        int position = 0;
        string name = ReadName(line, ref position, allowColon: true, "metric name");
        SkipBlanks(line, ref position);
        Dictionary<string, string> labels = new(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            ReadLabels(line, ref position, labels);
        }

        SkipBlanks(line, ref position);
        string[] rest = line[position..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is 0 or > 2)
        {
            throw new FormatException($"expected a value and an optional timestamp after {name}");
        }

        double value = ParseValue(rest[0]);
        long? timestamp = null;
        if (rest.Length == 2)
        {
            if (!long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ms))
            {
                throw new FormatException($"the timestamp '{rest[1]}' is not an integer");
            }

            timestamp = ms;
        }

        return new PrometheusSample(name, labels, value, timestamp);
    }

    private static void ReadLabels(string line, ref int position, Dictionary<string, string> labels)
    {
        while (true)
        {
            SkipBlanks(line, ref position);
            if (position < line.Length && line[position] == '}')
            {
                // Also ends a list with a trailing comma, which the format allows.
                position++;
                return;
            }

            string label = ReadName(line, ref position, allowColon: false, "label name");
            SkipBlanks(line, ref position);
            Expect(line, ref position, '=');
            SkipBlanks(line, ref position);
            Expect(line, ref position, '"');
            string value = ReadLabelValue(line, ref position);
            if (!labels.TryAdd(label, value))
            {
                throw new FormatException($"the label {label} appears twice");
            }

            SkipBlanks(line, ref position);
            if (position < line.Length && line[position] == ',')
            {
                position++;
            }
            else if (position >= line.Length || line[position] != '}')
            {
                throw new FormatException("expected ',' or '}' after a label value");
            }
        }
    }

    private static string ReadLabelValue(string line, ref int position)
    {
        StringBuilder value = new();
        while (position < line.Length)
        {
            char c = line[position++];
            if (c == '"')
            {
                return value.ToString();
            }

            if (c != '\\')
            {
                value.Append(c);
                continue;
            }

            if (position >= line.Length)
            {
                break;
            }

            char escaped = line[position++];
            value.Append(escaped switch
            {
                '\\' => '\\',
                '"' => '"',
                'n' => '\n',
                _ => throw new FormatException($"'\\{escaped}' is not an escape of the format (\\\\, \\\" or \\n)"),
            });
        }

        throw new FormatException("a label value is not closed with '\"'");
    }

    private static string ReadName(string line, ref int position, bool allowColon, string what)
    {
        int start = position;
        while (position < line.Length && IsNameChar(line[position], first: position == start, allowColon))
        {
            position++;
        }

        if (position == start)
        {
            throw new FormatException($"expected a {what} at column {(start + 1).ToString(CultureInfo.InvariantCulture)}");
        }

        return line[start..position];
    }

    private static bool IsNameChar(char c, bool first, bool allowColon) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (allowColon && c == ':') || (!first && char.IsAsciiDigit(c));

    /// <summary>A float as Prometheus writes one (Go's ParseFloat): <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>, <c>Inf</c> in any case, or a number.</summary>
    internal static double ParseValue(string text)
    {
        switch (text.ToUpperInvariant())
        {
            case "NAN":
                return double.NaN;
            case "INF" or "+INF":
                return double.PositiveInfinity;
            case "-INF":
                return double.NegativeInfinity;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new FormatException($"the value '{text}' is not a number");
        }

        return value;
    }

    private static void Expect(string line, ref int position, char expected)
    {
        if (position >= line.Length || line[position] != expected)
        {
            throw new FormatException($"expected '{expected}' at column {(position + 1).ToString(CultureInfo.InvariantCulture)}");
        }

        position++;
    }

    private static void SkipBlanks(string line, ref int position)
    {
        while (position < line.Length && line[position] is ' ' or '\t')
        {
            position++;
        }
    }
}
