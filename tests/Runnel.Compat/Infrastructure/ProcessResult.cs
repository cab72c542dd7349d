using System.Globalization;
using System.Text;

namespace Runnel.Compat.Infrastructure;

/// <summary>What an external process did: its command line, exit, and everything it printed.</summary>
public sealed record ProcessResult(string CommandLine, int? ExitCode, bool TimedOut, TimeSpan Timeout, TimeSpan Elapsed, string Stdout, string Stderr)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>Stdout lines that are JSON objects (the scripts' machine-readable results), parsed.</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> JsonLines => Infrastructure.JsonLines.Parse(Stdout);

    /// <summary>The full transcript, attached to every assertion message about this process.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("$ ").AppendLine(CommandLine);
        text.AppendLine(TimedOut
            ? string.Create(CultureInfo.InvariantCulture, $"TIMED OUT after {Timeout.TotalSeconds:0.#} s (killed)")
            : string.Create(CultureInfo.InvariantCulture, $"exit code {ExitCode} after {Elapsed.TotalSeconds:0.00} s"));
        text.AppendLine("--- stdout ---").AppendLine(Tail(Stdout));
        text.AppendLine("--- stderr ---").AppendLine(Tail(Stderr));
        return text.ToString();
    }

    private static string Tail(string output, int maxChars = 20_000) =>
        output.Length <= maxChars ? output.TrimEnd() : "[... " + (output.Length - maxChars) + " chars cut ...]\n" + output[^maxChars..].TrimEnd();
}
