using Runnel.Cli.Kafka;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Tests.Perf.Wire;

public class WireConsumerOptionsTests
{
    [Fact]
    public void Defaults_are_librdkafkas()
    {
        WireConsumerOptions options = WireConsumerOptions.From(new Dictionary<string, string> { ["bootstrap.servers"] = "h:1,g:2" });

        Assert.Equal([new BrokerAddress("h", 1), new BrokerAddress("g", 2)], options.BootstrapServers);
        Assert.Equal(500, options.FetchWaitMaxMs);
        Assert.Equal(1, options.FetchMinBytes);
        Assert.Equal(52_428_800, options.FetchMaxBytes);
        Assert.Equal(1_048_576, options.MaxPartitionFetchBytes);
        Assert.False(options.CheckCrcs);
        Assert.True(options.ReadCommitted);
        Assert.Equal(60_000, options.SocketTimeoutMs);
        Assert.Equal("runnel-perf-consume", options.ClientId);
    }

    [Fact]
    public void Properties_override_the_defaults()
    {
        WireConsumerOptions options = WireConsumerOptions.From(new Dictionary<string, string>
        {
            ["fetch.wait.max.ms"] = "0",
            ["fetch.min.bytes"] = "1000",
            ["fetch.max.bytes"] = "2000",
            ["max.partition.fetch.bytes"] = "300",
            ["check.crcs"] = "true",
            ["isolation.level"] = "read_uncommitted",
            ["socket.timeout.ms"] = "1000",
            ["client.id"] = "me",
        });

        Assert.Equal(
            new WireConsumerOptions(options.BootstrapServers, "me", 0, 1000, 2000, 300, CheckCrcs: true, ReadCommitted: false, 1000),
            options);
        Assert.Equal([new BrokerAddress("127.0.0.1", 9092)], options.BootstrapServers);
    }

    [Fact]
    public void Every_unsupported_property_and_bad_value_is_named_in_one_error()
    {
        ToolException e = Assert.Throws<ToolException>(() => WireConsumerOptions.From(new Dictionary<string, string>
        {
            ["queued.min.messages"] = "1000000",
            ["fetch.max.bytes"] = "0",
            ["isolation.level"] = "serializable",
        }));

        Assert.Contains("queued.min.messages is not supported with --wire", e.Message, StringComparison.Ordinal);
        Assert.Contains("fetch.max.bytes must be a whole number from 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("isolation.level must be read_committed or read_uncommitted (got 'serializable')", e.Message, StringComparison.Ordinal);
    }
}
