using System.CommandLine;
using Runnel.PeerBench.Drivers;

namespace Runnel.PeerBench.Commands;

/// <summary>
/// <c>peerbench produce|consume|e2e</c>: one workload against a NATS JetStream (<c>nats://</c>) or
/// RabbitMQ (<c>amqp://</c>) server; prints one summary line in <c>runnel perf e2e</c>'s format.
/// </summary>
internal sealed class DriverCommand : Command
{
    private readonly Option<string> _server = new("--server") { Description = "nats://HOST:PORT or amqp://USER:PASS@HOST:PORT/", Required = true };
    private readonly Option<string> _stream = new("--stream") { Description = "Stream (NATS) or stream queue (RabbitMQ) name; created if missing.", Required = true };
    private readonly Option<long> _numRecords = new("--num-records") { Description = "Records to publish or read.", Required = true };
    private readonly Option<int> _recordSize = new("--record-size") { Description = "Payload bytes per record.", DefaultValueFactory = _ => 1024 };
    private readonly Option<int> _window = new("--window") { Description = "Unacknowledged publishes per producer.", DefaultValueFactory = _ => 256 };
    private readonly Option<int> _producers = new("--producers") { Description = "Producer connections, each with its own window.", DefaultValueFactory = _ => 1 };
    private readonly Option<double?> _throughput = new("--throughput") { Description = "Records/sec for a fixed-rate end-to-end run; without it, single-record round trips." };
    private readonly string _workload;

    private DriverCommand(string name, string description)
        : base(name, description)
    {
        _workload = name;
        Options.Add(_server);
        Options.Add(_stream);
        Options.Add(_numRecords);
        Options.Add(_recordSize);
        if (name == "produce")
        {
            Options.Add(_window);
            Options.Add(_producers);
        }
        else if (name == "e2e")
        {
            Options.Add(_window);
            Options.Add(_throughput);
        }

        SetAction(RunAsync);
    }

    public static DriverCommand Produce() => new("produce", "Publish as fast as the window of unacknowledged publishes allows.");

    public static DriverCommand Consume() => new("consume", "Read a backlog from the start of the stream.");

    public static DriverCommand EndToEnd() => new("e2e", "End-to-end latency: at a fixed rate (--throughput) or single-record round trips.");

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var server = new Uri(parseResult.GetRequiredValue(_server));
        var stream = parseResult.GetRequiredValue(_stream);
        var records = parseResult.GetValue(_numRecords);
        var size = parseResult.GetValue(_recordSize);
        var output = parseResult.InvocationConfiguration.Output;
        if (records < 1 || size < 0 || (Options.Contains(_window) && parseResult.GetValue(_window) < 1) || (Options.Contains(_producers) && parseResult.GetValue(_producers) < 1) || parseResult.GetValue(_throughput) is <= 0)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync("--num-records, --window, --producers and --throughput must be positive, --record-size not negative.");
            return 2;
        }

        switch (_workload)
        {
            case "produce":
                await StreamDrivers.ProduceAsync(server, stream, records, size, parseResult.GetValue(_window), parseResult.GetValue(_producers), output, cancellationToken);
                break;
            case "consume":
                await StreamDrivers.ConsumeAsync(server, stream, records, size, output, cancellationToken);
                break;
            default:
                if (parseResult.GetValue(_throughput) is { } rate)
                {
                    await StreamDrivers.FixedRateAsync(server, stream, records, size, rate, parseResult.GetValue(_window), output, cancellationToken);
                }
                else
                {
                    await StreamDrivers.RoundTripAsync(server, stream, records, size, output, cancellationToken);
                }

                break;
        }

        return 0;
    }
}
