namespace Runnel.Cli.Tests.EndToEnd;

/// <summary>What a command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Stdout split into lines (no trailing empty line).</summary>
    public string[] Lines => Split(Output);

    /// <summary>Stderr split into lines.</summary>
    public string[] ErrorLines => Split(Error);

    public void AssertSuccess() =>
        Assert.True(ExitCode == 0, $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}");

    private static string[] Split(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
}
