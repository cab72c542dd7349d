using System.Globalization;
using System.Text.RegularExpressions;

namespace Runnel.PeerBench.Results;

/// <summary>
/// Reads the summary a load driver printed. Each driver's own format is kept (they are the tools
/// people already know); this is the one place that knows them. Lines other than the summary
/// (progress, warnings) are ignored; when a summary appears more than once, the last one counts.
/// </summary>
internal static partial class DriverOutputParser
{
    public static bool TryParse(DriverFormat format, string text, out DriverResult result)
    {
        DriverResult? parsed = format switch
        {
            DriverFormat.RunnelProduce => ParseRunnelProduce(text),
            DriverFormat.RunnelConsume => ParseRunnelConsume(text),
            DriverFormat.Latency => ParseLatency(text),
            DriverFormat.RedisBenchmark => ParseRedisBenchmark(text),
            _ => null,
        };
        result = parsed!;
        return parsed is not null;
    }

    // "2000000 records sent, 104011.232900 records/sec (101.57 MB/sec), 11.84 ms avg latency,
    //  210.00 ms max latency, 9 ms 50th, 28 ms 95th, 61 ms 99th, 180 ms 99.9th."
    [GeneratedRegex(@"^(?<n>\d+) records sent, (?<rate>[\d.]+) records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, (?<p50>[\d.]+) ms 50th, [\d.]+ ms 95th, (?<p99>[\d.]+) ms 99th, (?<p999>[\d.]+) ms 99\.9th\.?\s*$", RegexOptions.Multiline)]
    private static partial Regex ProducerSummary();

    // "N records, X records/sec (Y MB/sec), latency ms: avg A, p50 B, p95 C, p99 D, p99.9 E, max F"
    // The latency part is absent when nothing was timed (this tool's consume driver).
    [GeneratedRegex(@"^(?<n>\d+) records, (?<rate>[\d.]+) records/sec \([\d.]+ MB/sec\)(?:, latency ms: avg [\d.]+, p50 (?<p50>[\d.]+), p95 [\d.]+, p99 (?<p99>[\d.]+), p99\.9 (?<p999>[\d.]+), max [\d.]+)?\s*$", RegexOptions.Multiline)]
    private static partial Regex FixedRateSummary();

    [GeneratedRegex(@"^Avg latency: (?<avg>[\d.]+) ms\s*$", RegexOptions.Multiline)]
    private static partial Regex RoundTripAverage();

    [GeneratedRegex(@"^Percentiles: 50th = (?<p50>[\d.]+), 99th = (?<p99>[\d.]+), 99\.9th = (?<p999>[\d.]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex RoundTripPercentiles();

    // runnel perf e2e's own line after Kafka's: "2000 records, latency ms: p50 1.159, p95 5.919, p99 12.031, p99.9 115.199, max 132.576"
    [GeneratedRegex(@"^\d+ records, latency ms: p50 (?<p50>[\d.]+), p95 [\d.]+, p99 (?<p99>[\d.]+), p99\.9 (?<p999>[\d.]+), max [\d.]+\s*$", RegexOptions.Multiline)]
    private static partial Regex RoundTripPrecisePercentiles();

    private static DriverResult? ParseRunnelProduce(string text) =>
        Last(ProducerSummary().Matches(text)) is { } m
            ? new DriverResult(Long(m, "n"), Double(m, "rate"), Double(m, "p50"), Double(m, "p99"), Double(m, "p999"))
            : null;

    /// <summary>
    /// The row after kafka-consumer-perf-test's header: <c>start.time, end.time, data.consumed.in.MB,
    /// MB.sec, data.consumed.in.nMsg, nMsg.sec, ...</c>. The consumer reports no latency.
    /// </summary>
    private static DriverResult? ParseRunnelConsume(string text)
    {
        DriverResult? result = null;
        string[]? columns = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.StartsWith("start.time,", StringComparison.Ordinal))
            {
                columns = line.Split(", ");
                continue;
            }

            if (columns is null)
            {
                continue;
            }

            var fields = line.Split(", ");
            var count = Array.IndexOf(columns, "data.consumed.in.nMsg");
            var rate = Array.IndexOf(columns, "nMsg.sec");
            if (fields.Length == columns.Length && count >= 0 && rate >= 0
                && long.TryParse(fields[count], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                && double.TryParse(fields[rate], NumberStyles.Float, CultureInfo.InvariantCulture, out var perSec))
            {
                result = new DriverResult(n, perSec, null, null, null);
            }
        }

        return result;
    }

    private static DriverResult? ParseLatency(string text)
    {
        if (Last(FixedRateSummary().Matches(text)) is { } m)
        {
            return new DriverResult(Long(m, "n"), Double(m, "rate"), OptionalDouble(m, "p50"), OptionalDouble(m, "p99"), OptionalDouble(m, "p999"));
        }

        // Round trips run one record at a time, so the rate is the inverse of the average latency.
        // Kafka's percentiles are whole milliseconds (sub-millisecond round trips read 0); runnel
        // perf e2e also prints them to the microsecond, which wins when present.
        if (Last(RoundTripAverage().Matches(text)) is { } avg
            && (Last(RoundTripPrecisePercentiles().Matches(text)) ?? Last(RoundTripPercentiles().Matches(text))) is { } p)
        {
            var averageMs = Double(avg, "avg");
            return averageMs > 0
                ? new DriverResult(null, 1000.0 / averageMs, Double(p, "p50"), Double(p, "p99"), Double(p, "p999"))
                : null;
        }

        return null;
    }

    /// <summary>
    /// <c>redis-benchmark --csv</c> (Redis 7): <c>"test","rps","avg_latency_ms","min_latency_ms",
    /// "p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"</c>. It has no p99.9. The
    /// test name of a custom command is the command itself, so columns are read from the right.
    /// </summary>
    private static DriverResult? ParseRedisBenchmark(string text)
    {
        string[]? header = null;
        DriverResult? result = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var fields = SplitQuotedCsv(rawLine.Trim());
            if (fields.Count < 2)
            {
                continue;
            }

            if (fields[0] == "test" && fields[1] == "rps")
            {
                header = [.. fields];
                continue;
            }

            if (header is null || fields.Count < header.Length)
            {
                continue;
            }

            // A custom command's name may itself contain commas: align the numeric columns on the right.
            var shift = fields.Count - header.Length;
            double? Column(string name)
            {
                var index = Array.IndexOf(header, name);
                return index < 1 ? null
                    : double.TryParse(fields[index + shift], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
            }

            if (Column("rps") is { } rps)
            {
                result = new DriverResult(null, rps, Column("p50_latency_ms"), Column("p99_latency_ms"), Column("p999_latency_ms"));
            }
        }

        return result;
    }

    /// <summary>Splits one CSV line whose fields may be double-quoted (no embedded quotes in redis-benchmark's output).</summary>
    internal static List<string> SplitQuotedCsv(string line)
    {
        List<string> fields = [];
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] == '"')
            {
                var close = line.IndexOf('"', i + 1);
                if (close < 0)
                {
                    fields.Add(line[(i + 1)..]);
                    break;
                }

                fields.Add(line[(i + 1)..close]);
                i = close + 1;
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                fields.Add(line[i..end]);
                i = end;
            }

            if (i < line.Length && line[i] == ',')
            {
                i++;
                if (i == line.Length)
                {
                    fields.Add("");
                }
            }
            else if (i < line.Length)
            {
                // Text after a closing quote: not CSV this tool wrote.
                return [];
            }
        }

        return fields;
    }

    private static Match? Last(MatchCollection matches) => matches.Count == 0 ? null : matches[^1];

    private static long Long(Match m, string group) => long.Parse(m.Groups[group].ValueSpan, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double? OptionalDouble(Match m, string group) => m.Groups[group].Success ? Double(m, group) : null;

    private static double Double(Match m, string group) => double.Parse(m.Groups[group].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture);
}
