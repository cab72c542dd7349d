using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class DynamicBrokerConfigTests
{
    private static DynamicBrokerConfig Create() => new(BrokerConfig.Default);

    [Fact]
    public void Per_broker_change_is_applied_with_source_DYNAMIC_BROKER_CONFIG()
    {
        DynamicBrokerConfig dynamic = Create();
        BrokerConfig? seen = null;
        dynamic.Changed += (_, config) => seen = config;

        ConfigChangeResult result = dynamic.IncrementalAlter("1", [new("max.connections", AlterConfigOpType.Set, "100")]);

        Assert.True(result.IsSuccess);
        Assert.Equal(100, dynamic.Current.MaxConnections);
        Assert.Same(dynamic.Current, seen);
        ConfigValue value = dynamic.Current.Get("max.connections");
        Assert.Equal(ConfigSource.DynamicBrokerConfig, value.Source);
        Assert.Equal(int.MaxValue, BrokerConfig.Default.MaxConnections);
    }

    [Fact]
    public void Per_broker_value_beats_cluster_default_which_beats_static()
    {
        var dynamic = new DynamicBrokerConfig(BrokerConfig.FromProperties(new Dictionary<string, string> { ["message.max.bytes"] = "100" }));
        Assert.True(dynamic.IncrementalAlter("", [new("message.max.bytes", AlterConfigOpType.Set, "200")]).IsSuccess);
        Assert.Equal(200, dynamic.Current.MessageMaxBytes);
        Assert.True(dynamic.IncrementalAlter("1", [new("message.max.bytes", AlterConfigOpType.Set, "300")]).IsSuccess);
        Assert.Equal(300, dynamic.Current.MessageMaxBytes);

        DescribedConfig entry = Assert.Single(dynamic.Current.Describe(names: ["message.max.bytes"], includeSynonyms: true));
        Assert.Equal(ConfigSource.DynamicBrokerConfig, entry.Source);
        Assert.Equal(
            [ConfigSource.DynamicBrokerConfig, ConfigSource.DynamicDefaultBrokerConfig, ConfigSource.StaticBrokerConfig, ConfigSource.DefaultConfig],
            entry.Synonyms.Select(s => s.Source).ToArray());

        Assert.True(dynamic.IncrementalAlter("1", [new("message.max.bytes", AlterConfigOpType.Delete, null)]).IsSuccess);
        Assert.Equal(200, dynamic.Current.MessageMaxBytes);
    }

    [Fact]
    public void Dynamic_broker_default_flows_into_topics_without_overrides()
    {
        DynamicBrokerConfig dynamic = Create();
        Assert.True(dynamic.IncrementalAlter("", [new("log.retention.ms", AlterConfigOpType.Set, "60000")]).IsSuccess);
        Assert.Equal(60_000L, TopicConfigResolver.GetValue(dynamic.Current, new Dictionary<string, string>(), "retention.ms", out ConfigSource source));
        Assert.Equal(ConfigSource.DynamicDefaultBrokerConfig, source);
        Assert.Equal(60_000L, dynamic.Current.TopicDefaults.RetentionMs);
    }

    [Fact]
    public void Read_only_config_is_refused_with_INVALID_REQUEST()
    {
        DynamicBrokerConfig dynamic = Create();
        ConfigChangeResult result = dynamic.IncrementalAlter("1", [new("log.dirs", AlterConfigOpType.Set, "/x"), new("socket.request.max.bytes", AlterConfigOpType.Set, "1")]);
        Assert.Equal(42, result.ErrorCode);
        Assert.Equal("Cannot update these configs dynamically: Set(log.dirs, socket.request.max.bytes)", result.ErrorMessage);
        Assert.Same(BrokerConfig.Default, dynamic.Current);
    }

    [Fact]
    public void Per_broker_only_config_cannot_be_a_cluster_default()
    {
        ConfigChangeResult result = Create().IncrementalAlter("", [new("listeners", AlterConfigOpType.Set, "PLAINTEXT://127.0.0.1:9093")]);
        Assert.Equal(42, result.ErrorCode);
        Assert.StartsWith("Cannot update these configs at default cluster level", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_brokers_resource_is_refused()
    {
        ConfigChangeResult result = Create().IncrementalAlter("2", [new("max.connections", AlterConfigOpType.Set, "1")]);
        Assert.Equal(42, result.ErrorCode);
        Assert.Equal("Unexpected broker id, expected 1, but received 2", result.ErrorMessage);
        Assert.Equal("Node id must be an integer, but it is: x", Create().IncrementalAlter("x", []).ErrorMessage);
    }

    [Fact]
    public void Bad_value_is_INVALID_CONFIG_and_nothing_changes()
    {
        DynamicBrokerConfig dynamic = Create();
        var raised = false;
        dynamic.Changed += (_, _) => raised = true;
        ConfigChangeResult result = dynamic.IncrementalAlter("1", [new("max.connections", AlterConfigOpType.Set, "-1")]);
        Assert.Equal(40, result.ErrorCode);
        Assert.Equal("Invalid value -1 for configuration max.connections: Value must be at least 0", result.ErrorMessage);
        Assert.False(raised);
        Assert.Same(BrokerConfig.Default, dynamic.Current);
    }

    [Fact]
    public void Unknown_key_is_INVALID_CONFIG()
    {
        ConfigChangeResult result = Create().IncrementalAlter("1", [new("max.connectionz", AlterConfigOpType.Set, "1")]);
        Assert.Equal(40, result.ErrorCode);
        Assert.Equal("Unknown broker config name: max.connectionz", result.ErrorMessage);
    }

    [Fact]
    public void Validate_only_changes_nothing()
    {
        DynamicBrokerConfig dynamic = Create();
        ConfigChangeResult result = dynamic.IncrementalAlter("1", [new("max.connections", AlterConfigOpType.Set, "5")], validateOnly: true);
        Assert.True(result.IsSuccess);
        Assert.Equal("5", result.Configs["max.connections"]);
        Assert.Same(BrokerConfig.Default, dynamic.Current);
    }

    [Fact]
    public void Append_to_a_broker_list_config_starts_from_its_current_value()
    {
        DynamicBrokerConfig dynamic = Create();
        ConfigChangeResult result = dynamic.IncrementalAlter("", [new("log.cleanup.policy", AlterConfigOpType.Append, "compact")]);
        Assert.True(result.IsSuccess);
        Assert.Equal(["delete", "compact"], dynamic.Current.GetList("log.cleanup.policy"));
        Assert.Equal(40, dynamic.IncrementalAlter("", [new("log.retention.ms", AlterConfigOpType.Append, "1")]).ErrorCode);
    }

    [Fact]
    public void Legacy_alter_replaces_the_resources_dynamic_values()
    {
        DynamicBrokerConfig dynamic = Create();
        Assert.True(dynamic.IncrementalAlter("1", [new("max.connections", AlterConfigOpType.Set, "5"), new("message.max.bytes", AlterConfigOpType.Set, "5000")]).IsSuccess);
        ConfigChangeResult result = dynamic.Alter("1", [new("max.connections", "6")]);
        Assert.True(result.IsSuccess);
        Assert.Equal(6, dynamic.Current.MaxConnections);
        Assert.Equal(ConfigSource.DefaultConfig, dynamic.Current.Get("message.max.bytes").Source);
        Assert.Equal(42, dynamic.Alter("1", [new("max.connections", null)]).ErrorCode);
    }

    [Fact]
    public void Dynamic_listener_change_is_checked_across_keys()
    {
        ConfigChangeResult result = Create().IncrementalAlter("1", [new("listeners", AlterConfigOpType.Set, "SSL://127.0.0.1:9093")]);
        Assert.Equal(40, result.ErrorCode);
        Assert.Contains("does not support", result.ErrorMessage, StringComparison.Ordinal);
    }
}
