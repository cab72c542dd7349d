using Confluent.Kafka;

namespace Runnel.Cli.Kafka;

/// <summary>
/// Error and log handlers for Confluent.Kafka clients: librdkafka's errors and warnings go to the
/// tool's stderr, never stdout, so piping a consumer's output stays clean. librdkafka repeats the
/// same error and log line on every retry (an unreachable broker logs a failed connect several
/// times a second), so each distinct line is printed once. Handlers run on client threads.
/// </summary>
internal sealed class ClientEvents(TextWriter error)
{
    private readonly HashSet<string> _printed = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void OnError(IClient client, Error e) =>
        PrintOnce($"%{(e.IsFatal ? "FATAL" : "ERROR")}: {e.Code}: {e.Reason}");

    public void OnLog(IClient client, LogMessage message)
    {
        if (message.Level <= SyslogLevel.Warning)
        {
            PrintOnce($"%{(int)message.Level}|{message.Facility}| {message.Message}");
        }
    }

    private void PrintOnce(string line)
    {
        lock (_lock)
        {
            if (!_printed.Add(line))
            {
                return;
            }
        }

        error.WriteLine(line);
    }
}
