using System.Diagnostics;
using System.Globalization;

namespace Runnel.StartupBench;

/// <summary>Runs the child <c>--runs</c> times, one fresh process each, and summarises both start times.</summary>
internal static class ParentRun
{
    public static int Run(StartupBenchOptions options, TextWriter output)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to run the children with.");
        List<double> firsts = new(options.Runs);
        List<double> seconds = new(options.Runs);
        for (int run = 0; run < options.Runs; run++)
        {
            (double first, double second) = RunChild(self);
            firsts.Add(first);
            seconds.Add(second);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run + 1}: first start {first:F1} ms, second start {second:F1} ms"));
        }

        output.WriteLine(Summary("first start ", firsts));
        output.WriteLine(Summary("second start", seconds));
        return 0;
    }

    private static (double First, double Second) RunChild(string self)
    {
        ProcessStartInfo info = new(self) { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("--child");
        using Process child = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {self}.");
        string text = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The child exited with {child.ExitCode}: {text}");
        }

        return ParseChildLine(text);
    }

    /// <summary>Reads <c>first-start-ms F second-start-ms S</c>.</summary>
    internal static (double First, double Second) ParseChildLine(string text)
    {
        string[] words = text.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 4 || words[0] != "first-start-ms" || words[2] != "second-start-ms")
        {
            throw new InvalidOperationException($"Unexpected child output: {text}");
        }

        return (double.Parse(words[1], CultureInfo.InvariantCulture), double.Parse(words[3], CultureInfo.InvariantCulture));
    }

    /// <summary>Median and quartiles (nearest rank on the sorted runs), min and max.</summary>
    internal static string Summary(string label, List<double> values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{label}: median {Rank(sorted, 0.5):F1} ms, p25 {Rank(sorted, 0.25):F1}, p75 {Rank(sorted, 0.75):F1}, min {sorted[0]:F1}, max {sorted[^1]:F1} ({sorted.Length} runs)");
    }

    private static double Rank(double[] sorted, double quantile)
    {
        int index = (int)Math.Ceiling(quantile * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
