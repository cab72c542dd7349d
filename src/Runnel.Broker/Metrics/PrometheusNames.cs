using System.Text;

namespace Runnel.Broker.Metrics;

/// <summary>
/// Turns System.Diagnostics.Metrics instrument and tag names into Prometheus metric and label
/// names the way OpenTelemetry's Prometheus exporter does (the OpenTelemetry specification's
/// "Prometheus and OpenMetrics compatibility", default <c>UnderscoreEscapingWithSuffixes</c>), so a
/// dashboard keeps working if the broker is ever scraped through an OpenTelemetry collector:
/// characters outside <c>[a-zA-Z0-9_:]</c> become <c>_</c> (runs collapse to one), the unit is
/// appended as a word (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>, <c>1</c> on a gauge →
/// <c>_ratio</c>) unless the name already ends with it, and counters end in <c>_total</c>.
/// <c>runnel.log_cleaner.max_clean_time</c> with unit <c>s</c> is exported as
/// <c>runnel_log_cleaner_max_clean_time_seconds</c>; <c>runnel.network.requests</c> as
/// <c>runnel_network_requests_total</c>.
/// </summary>
internal static class PrometheusNames
{
    /// <summary>The Prometheus name of an instrument; <paramref name="isCounter"/> adds <c>_total</c>.</summary>
    public static string MetricName(string instrumentName, string? unit, bool isCounter)
    {
        ArgumentNullException.ThrowIfNull(instrumentName);
        string name = Sanitize(instrumentName, allowColon: true);
        string suffix = UnitSuffix(unit, isCounter);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name = name + "_" + suffix;
        }

        if (isCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    /// <summary>
    /// The Prometheus name of a tag: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>. Runs of <c>_</c> collapse, so it
    /// never starts with the <c>__</c> Prometheus reserves for itself.
    /// </summary>
    public static string LabelName(string tagName)
    {
        ArgumentNullException.ThrowIfNull(tagName);
        return Sanitize(tagName, allowColon: false);
    }

    /// <summary>
    /// The unit as the word Prometheus names end with: the UCUM codes of time and size that
    /// OpenTelemetry translates, any other unit as written (sanitized); annotations in braces
    /// (<c>{request}</c>) carry no unit and add nothing.
    /// </summary>
    internal static string UnitSuffix(string? unit, bool isCounter)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        // "1" is a dimensionless ratio; OpenTelemetry names it so only on gauges, because a counter
        // of ratios makes no sense.
        if (unit == "1")
        {
            return isCounter ? string.Empty : "ratio";
        }

        int slash = unit.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            // "By/s" is bytes_per_second.
            string of = UnitWord(unit[..slash], s_units);
            string per = UnitWord(unit[(slash + 1)..], s_perUnits);
            if (per.Length == 0)
            {
                return of;
            }

            return of.Length == 0 ? "per_" + per : of + "_per_" + per;
        }

        return UnitWord(unit, s_units);
    }

    private static string UnitWord(string unit, Dictionary<string, string> words)
    {
        // Annotations such as {request} or By{compressed} name what is counted, not a unit.
        int brace = unit.IndexOf('{', StringComparison.Ordinal);
        string code = (brace >= 0 ? unit[..brace] : unit).Trim();
        if (code.Length == 0)
        {
            return string.Empty;
        }

        return words.TryGetValue(code, out string? word) ? word : Sanitize(code, allowColon: false).Trim('_');
    }

    private static readonly Dictionary<string, string> s_units = new(StringComparer.Ordinal)
    {
        ["d"] = "days",
        ["h"] = "hours",
        ["min"] = "minutes",
        ["s"] = "seconds",
        ["ms"] = "milliseconds",
        ["us"] = "microseconds",
        ["ns"] = "nanoseconds",
        ["By"] = "bytes",
        ["KiBy"] = "kibibytes",
        ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes",
        ["TiBy"] = "tibibytes",
        ["KBy"] = "kilobytes",
        ["MBy"] = "megabytes",
        ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes",
        ["%"] = "percent",
    };

    // After a '/', time units read in the singular: bytes per second, not per seconds.
    private static readonly Dictionary<string, string> s_perUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second",
        ["m"] = "minute",
        ["h"] = "hour",
        ["d"] = "day",
    };

    private static string Sanitize(string name, bool allowColon)
    {
        var text = new StringBuilder(name.Length + 1);
        bool lastWasUnderscore = false;
        foreach (char c in name)
        {
            bool valid = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') || (allowColon && c == ':');
            if (valid)
            {
                text.Append(c);
                lastWasUnderscore = false;
            }
            else if (!lastWasUnderscore)
            {
                // '_' itself and every invalid character become one '_' per run.
                text.Append('_');
                lastWasUnderscore = true;
            }
        }

        if (text.Length == 0 || char.IsAsciiDigit(text[0]))
        {
            text.Insert(0, '_');
        }

        return text.ToString();
    }
}
