using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

/// <summary>The group coordinator configs (classic and KIP-848): Kafka 4.0's defaults and its cross-key requirements.</summary>
public class ConsumerGroupConfigTests
{
    private static ConfigException LoadFails(Dictionary<string, string> overrides) =>
        Assert.Throws<ConfigException>(() => BrokerConfig.Load(new BrokerConfigSources { Overrides = overrides }));

    [Fact]
    public void Defaults_are_kafkas()
    {
        var config = BrokerConfig.Default;
        Assert.True(config.ConsumerGroupProtocolEnabled);
        Assert.Equal(45_000, config.GroupConsumerSessionTimeoutMs);
        Assert.Equal(5000, config.GroupConsumerHeartbeatIntervalMs);
        Assert.Equal(int.MaxValue, config.GroupConsumerMaxSize);
        Assert.Equal(["uniform", "range"], config.GroupConsumerAssignors);
    }

    [Fact]
    public void The_classic_session_timeout_bounds_must_be_ordered_and_the_delay_not_negative()
    {
        var e = LoadFails(new()
        {
            ["group.min.session.timeout.ms"] = "20000",
            ["group.max.session.timeout.ms"] = "10000",
            ["group.initial.rebalance.delay.ms"] = "-1",
            ["group.max.size"] = "0",
        });
        Assert.Contains(e.Errors, x => x.Name == "group.max.session.timeout.ms" && x.Message.Contains("greater than or equal to group.min.session.timeout.ms", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Name == "group.initial.rebalance.delay.ms");
        Assert.Contains(e.Errors, x => x.Name == "group.max.size");
    }

    [Fact]
    public void The_classic_protocol_cannot_be_disabled()
    {
        var e = LoadFails(new() { ["group.coordinator.rebalance.protocols"] = "consumer" });
        Assert.Contains(e.Errors, x => x.Name == "group.coordinator.rebalance.protocols" && x.Message.Contains("classic", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_rebalance_protocol_is_refused()
    {
        var e = LoadFails(new() { ["group.coordinator.rebalance.protocols"] = "classic,streams2" });
        Assert.Contains(e.Errors, x => x.Name == "group.coordinator.rebalance.protocols");
    }

    [Fact]
    public void The_consumer_protocol_can_be_left_out()
    {
        var config = BrokerConfig.FromProperties(new Dictionary<string, string> { ["group.coordinator.rebalance.protocols"] = "classic" });
        Assert.False(config.ConsumerGroupProtocolEnabled);
    }

    [Fact]
    public void The_heartbeat_interval_must_be_shorter_than_the_session_timeout()
    {
        var e = LoadFails(new()
        {
            ["group.consumer.heartbeat.interval.ms"] = "50000",
            ["group.consumer.max.heartbeat.interval.ms"] = "60000",
        });
        Assert.Contains(e.Errors, x => x.Name == "group.consumer.heartbeat.interval.ms" && x.Message.Contains("less than", StringComparison.Ordinal));
    }

    [Fact]
    public void The_session_timeout_must_lie_between_its_bounds()
    {
        var e = LoadFails(new() { ["group.consumer.session.timeout.ms"] = "30000" });
        Assert.Contains(e.Errors, x => x.Name == "group.consumer.session.timeout.ms");
    }

    [Fact]
    public void An_unknown_assignor_is_refused_and_class_names_are_accepted()
    {
        var e = LoadFails(new() { ["group.consumer.assignors"] = "sticky" });
        Assert.Contains(e.Errors, x => x.Name == "group.consumer.assignors");
        var config = BrokerConfig.FromProperties(new Dictionary<string, string> { ["group.consumer.assignors"] = "org.apache.kafka.coordinator.group.assignor.RangeAssignor" });
        Assert.Equal(["org.apache.kafka.coordinator.group.assignor.RangeAssignor"], config.GroupConsumerAssignors);
    }
}
