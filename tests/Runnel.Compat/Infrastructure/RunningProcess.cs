using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// An external client process while it runs: its stdout is read line by line as it is printed, so a
/// test can wait for one of the script's JSON events (<see cref="WaitForEventAsync"/>) and act on it
/// while the process goes on, as the concurrent group members need. Started by
/// <see cref="ExternalProcess.Start"/>, which also arms the hard timeout: when it passes, or the test
/// is cancelled, the process is killed with its children. <see cref="WaitForExitAsync"/> gives the
/// <see cref="ProcessResult"/>; disposing kills a process that is still running and waits for it.
/// Waiters and the output buffer share one lock; the stdout pump is the only writer.
/// </summary>
public sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _commandLine;
    private readonly TimeSpan _timeout;
    private readonly Stopwatch _stopwatch;
    private readonly CancellationTokenSource _deadline;
    private readonly Lock _lock = new();
    private readonly StringBuilder _stdout = new();
    private readonly List<JsonElement> _lines = [];
    private readonly List<(string Event, TaskCompletionSource<JsonElement?> Waiter)> _waiters = [];
    private readonly Task _stdoutPump;
    private readonly Task<string> _stderr;
    private readonly Task<ProcessResult> _completion;
    private bool _stdoutClosed;
    private bool _timedOut;

    internal RunningProcess(Process process, string commandLine, TimeSpan timeout, Stopwatch stopwatch)
    {
        _process = process;
        _commandLine = commandLine;
        _timeout = timeout;
        _stopwatch = stopwatch;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _deadline.CancelAfter(timeout);
        _stdoutPump = PumpStdoutAsync();
        _stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        _completion = RunToExitAsync();
    }

    public string CommandLine => _commandLine;

    /// <summary>The process's standard input, open until <see cref="CloseStandardInput"/>.</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    public void CloseStandardInput()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited without reading its input; its output says why.
        }
    }

    /// <summary>
    /// The first JSON line whose "event" is <paramref name="name"/>, printed already or later; null
    /// when stdout closes (the process exited or was killed at its timeout) without one.
    /// </summary>
    public Task<JsonElement?> WaitForEventAsync(string name)
    {
        lock (_lock)
        {
            foreach (var line in _lines.Events(name))
            {
                return Task.FromResult<JsonElement?>(line);
            }

            if (_stdoutClosed)
            {
                return Task.FromResult<JsonElement?>(null);
            }

            var waiter = new TaskCompletionSource<JsonElement?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((name, waiter));
            return waiter.Task;
        }
    }

    /// <summary>Completes when the process has exited (or was killed at its timeout) and all its output is read.</summary>
    public Task<ProcessResult> WaitForExitAsync() => _completion;

    public async ValueTask DisposeAsync()
    {
        if (!_completion.IsCompleted)
        {
            await _deadline.CancelAsync();
        }

        await _completion;
        _deadline.Dispose();
        _process.Dispose();
    }

    private async Task PumpStdoutAsync()
    {
        // Off the caller's context: the pump runs for the life of the process.
        await Task.Yield();
        while (await _process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
        {
            var parsed = JsonLines.Parse(line);
            lock (_lock)
            {
                _stdout.Append(line).Append('\n');
                foreach (var element in parsed)
                {
                    _lines.Add(element);
                    if (element.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String)
                    {
                        var name = e.GetString();
                        foreach (var (_, waiter) in _waiters.Where(w => w.Event == name))
                        {
                            waiter.TrySetResult(element);
                        }

                        _waiters.RemoveAll(w => w.Event == name);
                    }
                }
            }
        }

        lock (_lock)
        {
            _stdoutClosed = true;
            foreach (var (_, waiter) in _waiters)
            {
                waiter.TrySetResult(null);
            }

            _waiters.Clear();
        }
    }

    private async Task<ProcessResult> RunToExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync(_deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _timedOut = true;
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        await _stdoutPump;
        var stderr = await _stderr;
        _stopwatch.Stop();
        string stdout;
        lock (_lock)
        {
            stdout = _stdout.ToString();
        }

        return new ProcessResult(_commandLine, _timedOut ? null : _process.ExitCode, _timedOut, _timeout, _stopwatch.Elapsed, stdout, stderr);
    }
}
