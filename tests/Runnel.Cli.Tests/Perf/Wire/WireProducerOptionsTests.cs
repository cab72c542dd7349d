using Runnel.Cli.Kafka;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Tests.Perf.Wire;

public class WireProducerOptionsTests
{
    [Fact]
    public void Defaults_are_the_java_producers_with_the_tools_linger_of_zero()
    {
        WireProducerOptions options = WireProducerOptions.From(new Dictionary<string, string> { ["bootstrap.servers"] = "h:1" }, "all");

        Assert.Equal([new BrokerAddress("h", 1)], options.BootstrapServers);
        Assert.Equal(-1, options.Acks);
        Assert.Equal(0, options.LingerMs);
        Assert.Equal(16384, options.BatchSize);
        Assert.Equal(5, options.MaxInFlight);
        Assert.Equal(30_000, options.RequestTimeoutMs);
        Assert.Equal("runnel-perf-e2e", options.ClientId);
    }

    [Fact]
    public void Properties_override_the_defaults_and_producer_acks_wins_over_acks()
    {
        WireProducerOptions options = WireProducerOptions.From(
            new Dictionary<string, string>
            {
                ["linger.ms"] = "0.5",
                ["batch.size"] = "100",
                ["max.in.flight.requests.per.connection"] = "1",
                ["request.timeout.ms"] = "700",
                ["client.id"] = "me",
                ["acks"] = "all",
            },
            "1");

        Assert.Equal(1, options.Acks);
        Assert.Equal(0.5, options.LingerMs);
        Assert.Equal(100, options.BatchSize);
        Assert.Equal(1, options.MaxInFlight);
        Assert.Equal(700, options.RequestTimeoutMs);
        Assert.Equal("me", options.ClientId);
        Assert.Equal([new BrokerAddress("127.0.0.1", 9092)], options.BootstrapServers);
    }

    [Fact]
    public void Every_problem_is_named_in_one_error()
    {
        ToolException error = Assert.Throws<ToolException>(() => WireProducerOptions.From(
            new Dictionary<string, string> { ["retries"] = "3", ["batch.size"] = "big", ["enable.idempotence"] = "true" }, "1"));

        Assert.StartsWith("Error: batch.size must be a whole number", error.Message, StringComparison.Ordinal);
        Assert.Contains("Producer property enable.idempotence is not supported with --wire-producers", error.Message, StringComparison.Ordinal);
        Assert.Contains("Producer property retries is not supported with --wire-producers", error.Message, StringComparison.Ordinal);
    }
}
