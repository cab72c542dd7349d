using Runnel.Cli.Kafka;

namespace Runnel.Cli.Tests.Kafka;

public class BrokerAddressTests
{
    [Fact]
    public void Bootstrap_list_reads_hosts_ports_brackets_and_plaintext_prefixes_as_librdkafka_does()
    {
        Assert.True(BrokerAddress.TryParseList(" a:1, [::1]:2,PLAINTEXT://b,[fe80::2],c:65535 ", out List<BrokerAddress> addresses, out string? error));

        Assert.Null(error);
        Assert.Equal([new("a", 1), new("::1", 2), new("b", 9092), new("fe80::2", 9092), new("c", 65535)], addresses);
        Assert.Equal("[::1]:2", addresses[1].ToString());
        Assert.Equal("a:1", addresses[0].ToString());
    }

    [Theory]
    [InlineData("a:x")]
    [InlineData("a:0")]
    [InlineData("a:70000")]
    [InlineData(":9092")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("SASL_SSL://a:1")]
    [InlineData(" , ")]
    public void Bootstrap_list_refuses_what_is_not_host_and_port(string servers)
    {
        Assert.False(BrokerAddress.TryParseList(servers, out _, out string? error));
        Assert.NotNull(error);
    }
}
