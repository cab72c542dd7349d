using System.Globalization;

namespace Runnel.PeerBench.Results;

/// <summary>
/// One row of the samples file that <c>bench/run.sh</c> appends to: one run of one workload against
/// one system, either measured or not applicable (then <see cref="NotApplicable"/> says why). A
/// measured sample may carry a <see cref="Caveat"/>: it is shown as a footnote and keeps the row out
/// of the comparison with the best peer (e.g. a read benchmark that does not scan a backlog).
/// </summary>
internal sealed record Sample(string Workload, string System, string Pinning, int Run, Measurement? Measurement, string? NotApplicable, string? Caveat = null)
{
    /// <summary>The samples file's header line (tab-separated).</summary>
    public const string Header = "workload\tsystem\tpinning\trun\tstatus\tmsgs_per_sec\tmib_per_sec\tp50_ms\tp99_ms\tp999_ms\tcpu_ms_per_mib\tnote";

    private const string Missing = "-";

    /// <summary>Formats this sample as one tab-separated line (no newline).</summary>
    public string ToLine()
    {
        string[] head = [Clean(Workload), Clean(System), Clean(Pinning), Run.ToString(CultureInfo.InvariantCulture)];
        if (Measurement is not { } m)
        {
            return string.Join('\t', [.. head, "n/a", Missing, Missing, Missing, Missing, Missing, Missing, Clean(NotApplicable ?? "not measured")]);
        }

        return string.Join('\t', [.. head, "ok", Format(m.MsgsPerSec), Format(m.MiBPerSec), Format(m.P50Ms), Format(m.P99Ms), Format(m.P999Ms), Format(m.CpuMsPerMiB), Caveat is null ? Missing : Clean(Caveat)]);
    }

    /// <summary>Reads every sample of a samples file; skips the header, blank lines and <c>#</c> comments.</summary>
    public static List<Sample> ReadAll(TextReader reader)
    {
        List<Sample> samples = [];
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#') || line == Header)
            {
                continue;
            }

            samples.Add(Parse(line) ?? throw new FormatException($"samples line {lineNumber}: expected 12 tab-separated fields: {line}"));
        }

        return samples;
    }

    /// <summary>Parses one line written by <see cref="ToLine"/>, or returns null when it is malformed.</summary>
    public static Sample? Parse(string line)
    {
        var f = line.Split('\t');
        if (f.Length != 12 || !int.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var run))
        {
            return null;
        }

        if (f[4] == "n/a")
        {
            return new Sample(f[0], f[1], f[2], run, null, f[11]);
        }

        if (f[4] != "ok" || ParseValue(f[5]) is not { } msgs || ParseValue(f[6]) is not { } mib)
        {
            return null;
        }

        var caveat = f[11] == Missing ? null : f[11];
        return new Sample(f[0], f[1], f[2], run, new Measurement(msgs, mib, ParseValue(f[7]), ParseValue(f[8]), ParseValue(f[9]), ParseValue(f[10])), null, caveat);
    }

    private static string Clean(string value) => value.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    private static string Format(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : Missing;

    private static double? ParseValue(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
