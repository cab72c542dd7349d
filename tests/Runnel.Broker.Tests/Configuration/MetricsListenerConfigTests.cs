using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class MetricsListenerConfigTests
{
    private static BrokerConfig Load(string value) =>
        BrokerConfig.FromProperties(new Dictionary<string, string> { [BrokerConfigs.RunnelMetricsListener] = value });

    [Fact]
    public void Default_serves_no_metrics()
    {
        Assert.Equal(string.Empty, BrokerConfigs.Registry[BrokerConfigs.RunnelMetricsListener].Default);
        Assert.Null(BrokerConfig.Default.MetricsListener);
        Assert.Null(Load("  ").MetricsListener);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0", "http://127.0.0.1:0/")]
    [InlineData("http://127.0.0.1:9404/", "http://127.0.0.1:9404/")]
    [InlineData("HTTP://localhost:9404", "http://localhost:9404/")]
    [InlineData("http://[::1]:9404", "http://[::1]:9404/")]
    [InlineData(" http://0.0.0.0:65535 ", "http://0.0.0.0:65535/")]
    public void Http_host_and_port_is_the_listener_address(string value, string expected)
    {
        Assert.Equal(new Uri(expected), Load(value).MetricsListener);
    }

    [Theory]
    [InlineData("127.0.0.1:9404", "expected http://host:port")]
    [InlineData("http://127.0.0.1", "expected http://host:port")]
    [InlineData("http://:9404", "expected http://host:port")]
    [InlineData("http://127.0.0.1:9404/metrics", "expected http://host:port")]
    [InlineData("http://127.0.0.1:9404?x=1", "expected http://host:port")]
    [InlineData("http://user@127.0.0.1:9404", "expected http://host:port")]
    [InlineData("http://127.0.0.1:65536", "the port must be between 0 and 65535")]
    [InlineData("https://127.0.0.1:9404", "the scheme https is not served, only http")]
    public void Anything_else_is_a_config_error_saying_what_is_expected(string value, string reason)
    {
        ConfigException e = Assert.Throws<ConfigException>(() => Load(value));
        ConfigError error = Assert.Single(e.Errors);
        Assert.Equal(BrokerConfigs.RunnelMetricsListener, error.Name);
        Assert.Contains($"Invalid value {value.Trim()} for configuration runnel.metrics.listener: {reason}", e.Message, StringComparison.Ordinal);
    }
}
