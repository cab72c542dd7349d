using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// Runs an external client process with a hard timeout (killed with its children when it runs over
/// or the test is cancelled), capturing stdout and stderr as UTF-8: to completion
/// (<see cref="RunAsync"/>), or started and observed while it runs (<see cref="Start"/>).
/// </summary>
public static class ExternalProcess
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Runs the process to its end (or its timeout) with <paramref name="standardInput"/> written and closed.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? standardInput = null,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var process = Start(fileName, arguments, timeout, workingDirectory, environment);
        if (standardInput is not null)
        {
            try
            {
                await process.StandardInput.WriteAsync(standardInput);
            }
            catch (IOException)
            {
                // The process exited without reading its input; its output says why.
            }
        }

        process.CloseStandardInput();
        return await process.WaitForExitAsync();
    }

    /// <summary>
    /// Starts the process and returns while it runs, its output read as it comes and its
    /// <paramref name="timeout"/> armed. Standard input stays open until <see cref="RunningProcess.CloseStandardInput"/>.
    /// </summary>
    public static RunningProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
            StandardInputEncoding = Utf8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        var commandLine = FormatCommandLine(fileName, start.ArgumentList);
        var process = new Process { StartInfo = start };
        var stopwatch = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start `{commandLine}`: {e.Message}. {ClientTools.InstallHint}", e);
        }

        return new RunningProcess(process, commandLine, timeout, stopwatch);
    }

    private static string FormatCommandLine(string fileName, IEnumerable<string> arguments) =>
        string.Join(' ', new[] { fileName }.Concat(arguments).Select(Quote));

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
