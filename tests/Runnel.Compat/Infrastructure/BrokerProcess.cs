using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Runnel.TestKit;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// A real <c>runnel broker</c> process on 127.0.0.1 with an ephemeral port and a temp data dir,
/// shared by the tests of one class (collection fixture). Runs the runnel.dll that the project
/// reference to Runnel.Cli copies next to the tests, exactly as a user would start it; the bound
/// port comes from its "started" line. Everything it prints is kept for failure messages.
/// </summary>
public sealed partial class BrokerProcess : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dataDir = new("compat-broker");
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Match> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;
    private string _commandLine = "";

    public string Host { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary>The advertised address, host:port, as clients bootstrap from it.</summary>
    public string BootstrapServers => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    public async ValueTask InitializeAsync()
    {
        var runnelDll = Path.Combine(AppContext.BaseDirectory, "runnel.dll");
        if (!File.Exists(runnelDll))
        {
            throw new FileNotFoundException("runnel.dll is not next to the tests; the ProjectReference to src/Runnel.Cli should copy it.", runnelDll);
        }

        // The dotnet CLI tells child processes which host it is (dotnet test sets it); else PATH.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            ArgumentList = { runnelDll, "broker", "--listen", "127.0.0.1:0", "--data-dir", _dataDir.Path, "--log-level", "Warning" },
        };
        _commandLine = dotnet + " " + string.Join(' ', start.ArgumentList);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine("out", e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine("err", e.Data);
        _process.Exited += (_, _) => _started.TrySetException(new InvalidOperationException("The broker process exited before it reported \"started\"."));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Match started;
        try
        {
            started = await _started.Task.WaitAsync(StartTimeout);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            var reason = e is TimeoutException ? $"did not print its started line within {StartTimeout.TotalSeconds} s" : e.Message;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            var failure = new InvalidOperationException($"Broker process failed to start: {reason}\n{DescribeOutput()}", e);
            await DisposeAsync();
            throw failure;
        }

        Host = started.Groups["host"].Value;
        Port = int.Parse(started.Groups["port"].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The broker's command line, state and the tail of its output, for failure messages.</summary>
    public string DescribeOutput(int maxLines = 200)
    {
        string[] lines;
        lock (_output)
        {
            lines = [.. _output.TakeLast(maxLines)];
        }

        var state = _process is null ? "not started"
            : _process.HasExited ? string.Create(CultureInfo.InvariantCulture, $"EXITED with code {_process.ExitCode}")
            : string.Create(CultureInfo.InvariantCulture, $"running, pid {_process.Id}");
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"--- broker process ({state}) ---").AppendLine(_commandLine);
        text.AppendLine(lines.Length == 0 ? "(no output at log level Warning)" : string.Join('\n', lines));
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                }

                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (InvalidOperationException)
            {
                // Never started.
            }

            _process.Dispose();
            _process = null;
        }

        _dataDir.Dispose();
    }

    private void OnLine(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(stream + "| " + line);
        }

        if (StartedLine().Match(line) is { Success: true } match)
        {
            _started.TrySetResult(match);
        }
    }

    [GeneratedRegex(@"^runnel broker started: PLAINTEXT (?<bound>\S+) advertised (?<host>\S+):(?<port>\d+)$")]
    private static partial Regex StartedLine();
}
