using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class DescribeConfigsTests
{
    private static readonly Dictionary<string, string> s_none = [];

    private static DescribedConfig DescribeTopic(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides, string name) =>
        Assert.Single(TopicConfigResolver.Describe(broker, overrides, [name], includeSynonyms: true, includeDocumentation: true));

    [Fact]
    public void Topic_describe_lists_every_topic_config_by_default()
    {
        IReadOnlyList<DescribedConfig> all = TopicConfigResolver.Describe(BrokerConfig.Default, s_none);
        Assert.Equal(TopicConfigs.Registry.Count, all.Count);
        Assert.All(all, c => Assert.False(c.IsReadOnly));
        Assert.All(all, c => Assert.Empty(c.Synonyms));
        Assert.All(all, c => Assert.Null(c.Documentation));
    }

    [Fact]
    public void Unknown_names_are_skipped()
    {
        Assert.Empty(TopicConfigResolver.Describe(BrokerConfig.Default, s_none, ["no.such.config"]));
    }

    [Fact]
    public void Default_topic_config_has_source_DEFAULT_CONFIG_and_the_broker_default_as_synonym()
    {
        DescribedConfig retention = DescribeTopic(BrokerConfig.Default, s_none, "retention.ms");
        Assert.Equal("604800000", retention.Value);
        Assert.Equal(ConfigSource.DefaultConfig, retention.Source);
        Assert.Equal(ConfigType.Long, retention.Type);
        Assert.Equal([new DescribedSynonym("log.retention.hours", "168", ConfigSource.DefaultConfig)], retention.Synonyms);
        Assert.NotNull(retention.Documentation);
    }

    [Fact]
    public void Topic_override_has_source_DYNAMIC_TOPIC_CONFIG_and_comes_first_in_synonyms()
    {
        BrokerConfig broker = BrokerConfig.FromProperties(new Dictionary<string, string> { ["log.retention.ms"] = "5000" });
        DescribedConfig retention = DescribeTopic(broker, new Dictionary<string, string> { ["retention.ms"] = " 42 " }, "retention.ms");
        Assert.Equal("42", retention.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, retention.Source);
        Assert.Equal(
            [
                new DescribedSynonym("retention.ms", "42", ConfigSource.DynamicTopicConfig),
                new DescribedSynonym("log.retention.ms", "5000", ConfigSource.StaticBrokerConfig),
                new DescribedSynonym("log.retention.hours", "168", ConfigSource.DefaultConfig),
            ],
            retention.Synonyms);
    }

    [Fact]
    public void Broker_synonym_from_server_properties_gives_STATIC_BROKER_CONFIG()
    {
        BrokerConfig broker = BrokerConfig.FromProperties(new Dictionary<string, string> { ["log.retention.hours"] = "24" });
        DescribedConfig retention = DescribeTopic(broker, s_none, "retention.ms");
        Assert.Equal("86400000", retention.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, retention.Source);
        Assert.Equal(
            [
                new DescribedSynonym("log.retention.hours", "24", ConfigSource.StaticBrokerConfig),
                new DescribedSynonym("log.retention.hours", "168", ConfigSource.DefaultConfig),
            ],
            retention.Synonyms);
    }

    [Fact]
    public void Topic_config_without_broker_synonym_has_no_synonyms()
    {
        DescribedConfig remote = DescribeTopic(BrokerConfig.Default, s_none, "remote.storage.enable");
        Assert.Equal("false", remote.Value);
        Assert.Equal(ConfigSource.DefaultConfig, remote.Source);
        Assert.Empty(remote.Synonyms);
    }

    [Fact]
    public void List_values_are_described_comma_joined()
    {
        DescribedConfig policy = DescribeTopic(BrokerConfig.Default, new Dictionary<string, string> { ["cleanup.policy"] = "compact , delete" }, "cleanup.policy");
        Assert.Equal("compact,delete", policy.Value);
        Assert.Equal(ConfigType.List, policy.Type);
    }

    [Fact]
    public void Broker_describe_returns_every_broker_config_with_read_only_flags()
    {
        IReadOnlyList<DescribedConfig> all = BrokerConfig.Default.Describe();
        Assert.Equal(BrokerConfigs.Registry.Count, all.Count);
        Assert.True(all.Single(c => c.Name == "log.dirs").IsReadOnly);
        Assert.False(all.Single(c => c.Name == "log.retention.ms").IsReadOnly);
        Assert.All(all, c => Assert.Equal(ConfigSource.DefaultConfig, c.Source));
    }

    [Fact]
    public void Broker_describe_reports_static_values_and_synonym_chain()
    {
        BrokerConfig broker = BrokerConfig.FromProperties(new Dictionary<string, string> { ["log.retention.hours"] = "24", ["num.partitions"] = "3" });
        IReadOnlyList<DescribedConfig> described = broker.Describe(names: ["log.retention.hours", "log.retention.ms", "num.partitions"], includeSynonyms: true);

        DescribedConfig hours = described.Single(c => c.Name == "log.retention.hours");
        Assert.Equal("24", hours.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, hours.Source);
        Assert.Equal(
            [new DescribedSynonym("log.retention.hours", "24", ConfigSource.StaticBrokerConfig), new DescribedSynonym("log.retention.hours", "168", ConfigSource.DefaultConfig)],
            hours.Synonyms);

        // Kafka starts a broker entry's synonyms at the entry itself, so an unset log.retention.ms has none.
        DescribedConfig ms = described.Single(c => c.Name == "log.retention.ms");
        Assert.Null(ms.Value);
        Assert.Equal(ConfigSource.DefaultConfig, ms.Source);
        Assert.Empty(ms.Synonyms);

        Assert.Equal("3", described.Single(c => c.Name == "num.partitions").Value);
    }

    [Fact]
    public void Broker_id_is_described_with_the_node_id()
    {
        DescribedConfig brokerId = Assert.Single(BrokerConfig.Default.Describe(names: ["broker.id"]));
        Assert.Equal("1", brokerId.Value);
    }

    [Fact]
    public void Cluster_default_describe_lists_only_dynamic_defaults()
    {
        Assert.Empty(BrokerConfig.Default.Describe(clusterDefault: true));
        var dynamic = new DynamicBrokerConfig(BrokerConfig.Default);
        Assert.True(dynamic.IncrementalAlter("", [new("log.retention.ms", AlterConfigOpType.Set, "1000")]).IsSuccess);
        DescribedConfig entry = Assert.Single(dynamic.Current.Describe(clusterDefault: true, includeSynonyms: true));
        Assert.Equal("log.retention.ms", entry.Name);
        Assert.Equal("1000", entry.Value);
        Assert.Equal(ConfigSource.DynamicDefaultBrokerConfig, entry.Source);
        Assert.All(entry.Synonyms, s => Assert.Equal(ConfigSource.DynamicDefaultBrokerConfig, s.Source));
    }
}
