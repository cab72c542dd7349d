using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Runnel.TestKit;

/// <summary>
/// A real <c>runnel broker</c> process on 127.0.0.1 with an ephemeral port, started from the
/// runnel.dll that a project reference to Runnel.Cli copies next to the tests, exactly as a user
/// starts it. The bound port comes from its "started" line; everything it prints is kept for
/// failure messages. <see cref="KillAsync"/> sends SIGKILL (crash tests); <see cref="DisposeAsync"/>
/// kills it too. The data directory belongs to the caller, so a test can restart on it.
/// </summary>
public sealed partial class RunnelBrokerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Match> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;
    private string _commandLine = "";

    private RunnelBrokerProcess()
    {
    }

    public string Host { get; private set; } = "";

    public int Port { get; private set; }

    public int ProcessId => _process?.Id ?? -1;

    /// <summary>host:port, as clients bootstrap from it.</summary>
    public string BootstrapServers => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>Starts a broker on <paramref name="dataDirectory"/> with extra <c>--override</c> settings.</summary>
    public static async Task<RunnelBrokerProcess> StartAsync(string dataDirectory, IEnumerable<string>? overrides = null, string logLevel = "Warning")
    {
        var broker = new RunnelBrokerProcess();
        try
        {
            await broker.StartCoreAsync(dataDirectory, overrides ?? [], logLevel);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(string dataDirectory, IEnumerable<string> overrides, string logLevel)
    {
        var runnelDll = Path.Combine(AppContext.BaseDirectory, "runnel.dll");
        if (!File.Exists(runnelDll))
        {
            throw new FileNotFoundException("runnel.dll is not next to the tests; a ProjectReference to src/Runnel.Cli copies it.", runnelDll);
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
            ArgumentList = { runnelDll, "broker", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory, "--log-level", logLevel },
        };
        foreach (var o in overrides)
        {
            start.ArgumentList.Add("--override");
            start.ArgumentList.Add(o);
        }

        // The broker reads every RUNNEL_<KEY> variable as config; the test suites' own switches
        // (RUNNEL_COMPAT_DEBUG, ...) are not broker settings and would stop it at startup.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("RUNNEL_COMPAT_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

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
            if (_process.HasExited)
            {
                // Let the asynchronous output readers drain so the failure shows everything it printed.
                await _process.WaitForExitAsync(CancellationToken.None);
            }

            throw new InvalidOperationException($"Broker process failed to start: {reason}\n{DescribeOutput()}", e);
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
        text.AppendLine(lines.Length == 0 ? "(no output)" : string.Join('\n', lines));
        return text.ToString();
    }

    /// <summary>SIGKILL: the process dies at once, with no chance to flush or write its clean-shutdown marker.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>
    /// SIGTERM, as a service manager stops the broker: waits for the process to exit and returns its
    /// exit code.
    /// </summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (_process is null)
        {
            throw new InvalidOperationException("Not started.");
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                await KillAsync();
            }
            catch (InvalidOperationException)
            {
                // Never started.
            }

            _process.Dispose();
            _process = null;
        }
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

    [GeneratedRegex(@"^runnel broker started: \S+ \S+ advertised (?<host>[^:\s]+):(?<port>\d+)$")]
    private static partial Regex StartedLine();
}
