using System.Diagnostics.Tracing;
using System.Globalization;

namespace Runnel.StartupBench;

/// <summary>
/// Collects the methods the JIT compiles (the runtime's <c>MethodJittingStarted</c> event: methods
/// with no precompiled code, or generic instantiations ReadyToRun could not precompile) until
/// <see cref="Stop"/>. Listening itself slows the start, so it is off in timed runs.
/// </summary>
internal sealed class JitListener : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private readonly List<string> _methods = [];
    private readonly Lock _lock = new();
    private bool _stopped;

    public void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
        }
    }

    public void WriteTo(TextWriter output)
    {
        string[] methods;
        lock (_lock)
        {
            methods = [.. _methods];
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"methods compiled by the JIT during the first start: {methods.Length}"));
        foreach (string method in methods)
        {
            output.WriteLine(method);
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "MethodJittingStarted_V1" || eventData.Payload is not { } payload)
        {
            return;
        }

        string ns = Field(eventData, payload, "MethodNamespace");
        string name = Field(eventData, payload, "MethodName");
        lock (_lock)
        {
            if (!_stopped)
            {
                _methods.Add($"{ns}::{name}");
            }
        }
    }

    private static string Field(EventWrittenEventArgs eventData, IReadOnlyList<object?> payload, string name)
    {
        int index = eventData.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 ? payload[index]?.ToString() ?? "" : "";
    }
}
