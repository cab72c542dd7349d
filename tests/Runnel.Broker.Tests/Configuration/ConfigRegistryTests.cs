using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class ConfigRegistryTests
{
    public static TheoryData<string> BrokerNames() => new(BrokerConfigs.Registry.Definitions.Select(d => d.Name));

    public static TheoryData<string> TopicNames() => new(TopicConfigs.Registry.Definitions.Select(d => d.Name));

    [Fact]
    public void Registries_build_without_errors()
    {
        Assert.True(BrokerConfigs.Registry.Count > 80);
        Assert.Equal(34, TopicConfigs.Registry.Count);
    }

    [Fact]
    public void Topic_registry_has_exactly_the_Kafka_4_0_topic_configs_plus_runnel_ones()
    {
        string[] kafka40 =
        [
            "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type", "compression.zstd.level",
            "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms", "follower.replication.throttled.replicas",
            "index.interval.bytes", "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
            "max.compaction.lag.ms", "max.message.bytes", "message.timestamp.after.max.ms", "message.timestamp.before.max.ms",
            "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
            "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes", "retention.ms",
            "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms", "unclean.leader.election.enable",
        ];
        string[] names = TopicConfigs.Registry.Definitions.Select(d => d.Name).Where(n => !n.StartsWith("runnel.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(kafka40.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("message.downconversion.enable")]
    [InlineData("message.format.version")]
    [InlineData("message.timestamp.difference.max.ms")]
    public void Configs_removed_in_Kafka_4_0_are_unknown(string name)
    {
        Assert.False(TopicConfigs.Registry.Contains(name));
    }

    [Theory]
    [MemberData(nameof(TopicNames))]
    public void Every_topic_synonym_is_a_broker_config(string name)
    {
        foreach (BrokerSynonym synonym in TopicConfigs.Registry[name].BrokerSynonyms)
        {
            Assert.True(BrokerConfigs.Registry.Contains(synonym.Name), $"{name} -> {synonym.Name}");
        }
    }

    [Theory]
    [MemberData(nameof(TopicNames))]
    public void Every_topic_config_has_a_default(string name)
    {
        Assert.NotNull(TopicConfigs.Registry[name].Default);
    }

    [Theory]
    [MemberData(nameof(BrokerNames))]
    public void Broker_names_are_dotted_lower_case_so_the_environment_mapping_is_reversible(string name)
    {
        Assert.Matches("^[a-z0-9]+(\\.[a-z0-9]+)*$", name);
        Assert.Equal(name, BrokerConfigSources.KeyFromEnvironmentVariable(BrokerConfigSources.EnvironmentVariableName(name)));
    }

    [Theory]
    [MemberData(nameof(BrokerNames))]
    public void Every_broker_default_round_trips_through_its_string_form(string name)
    {
        ConfigDefinition definition = BrokerConfigs.Registry[name];
        if (definition.DefaultString is { } text)
        {
            Assert.True(definition.TryParse(text, out object? parsed, out string? error), error);
            Assert.Equal(definition.DefaultString, ConfigDefinition.FormatValue(definition.Type, parsed));
        }
    }

    [Theory]
    [InlineData("num.partitions", 1)]
    [InlineData("default.replication.factor", 1)]
    [InlineData("log.segment.bytes", 1073741824)]
    [InlineData("log.roll.hours", 168)]
    [InlineData("log.retention.hours", 168)]
    [InlineData("log.index.interval.bytes", 4096)]
    [InlineData("log.index.size.max.bytes", 10485760)]
    [InlineData("log.flush.offset.checkpoint.interval.ms", 60000)]
    [InlineData("message.max.bytes", 1048588)]
    [InlineData("socket.request.max.bytes", 104857600)]
    [InlineData("socket.send.buffer.bytes", 102400)]
    [InlineData("socket.receive.buffer.bytes", 102400)]
    [InlineData("max.connections", int.MaxValue)]
    [InlineData("num.network.threads", 3)]
    [InlineData("num.io.threads", 8)]
    [InlineData("min.insync.replicas", 1)]
    [InlineData("offsets.topic.num.partitions", 50)]
    [InlineData("transaction.state.log.num.partitions", 50)]
    [InlineData("group.initial.rebalance.delay.ms", 3000)]
    [InlineData("num.recovery.threads.per.data.dir", 2)]
    public void Int_defaults_are_Kafka_4_0_defaults(string name, int expected)
    {
        Assert.Equal(expected, BrokerConfigs.Registry[name].Default);
    }

    [Theory]
    [InlineData("log.retention.bytes", -1L)]
    [InlineData("log.retention.check.interval.ms", 300000L)]
    [InlineData("log.flush.interval.messages", long.MaxValue)]
    [InlineData("log.flush.scheduler.interval.ms", long.MaxValue)]
    [InlineData("log.segment.delete.delay.ms", 60000L)]
    [InlineData("connections.max.idle.ms", 600000L)]
    [InlineData("log.message.timestamp.before.max.ms", long.MaxValue)]
    [InlineData("log.message.timestamp.after.max.ms", 3600000L)]
    public void Long_defaults_are_Kafka_4_0_defaults(string name, long expected)
    {
        Assert.Equal(expected, BrokerConfigs.Registry[name].Default);
    }

    [Theory]
    [InlineData("log.roll.ms")]
    [InlineData("log.retention.ms")]
    [InlineData("log.retention.minutes")]
    [InlineData("log.flush.interval.ms")]
    [InlineData("log.dirs")]
    [InlineData("advertised.listeners")]
    public void Keys_Kafka_leaves_unset_have_no_default(string name)
    {
        Assert.Null(BrokerConfigs.Registry[name].Default);
    }

    [Fact]
    public void Runnel_deliberate_defaults()
    {
        Assert.Equal("PLAINTEXT://127.0.0.1:9092", BrokerConfigs.Registry["listeners"].Default);
        Assert.Equal("./data", BrokerConfigs.Registry["log.dir"].Default);
        Assert.Equal(1, BrokerConfigs.Registry["node.id"].Default);
        Assert.Equal((short)1, BrokerConfigs.Registry["offsets.topic.replication.factor"].Default);
        Assert.Equal(false, BrokerConfigs.Registry["runnel.log.flush.on.acks.all"].Default);
        Assert.True(BrokerConfigs.Registry["runnel.log.flush.on.acks.all"].IsRunnelSpecific);
    }

    [Theory]
    [InlineData("listeners", DynamicUpdateMode.PerBroker)]
    [InlineData("advertised.listeners", DynamicUpdateMode.ReadOnly)]
    [InlineData("log.retention.ms", DynamicUpdateMode.ClusterWide)]
    [InlineData("log.retention.hours", DynamicUpdateMode.ReadOnly)]
    [InlineData("log.segment.bytes", DynamicUpdateMode.ClusterWide)]
    [InlineData("socket.request.max.bytes", DynamicUpdateMode.ReadOnly)]
    [InlineData("max.connections", DynamicUpdateMode.ClusterWide)]
    [InlineData("log.dirs", DynamicUpdateMode.ReadOnly)]
    public void Update_modes_follow_Kafka(string name, DynamicUpdateMode expected)
    {
        Assert.Equal(expected, BrokerConfigs.Registry[name].Dynamic);
    }

    [Theory]
    [InlineData("retention.ms", "log.retention.ms,log.retention.minutes,log.retention.hours")]
    [InlineData("segment.ms", "log.roll.ms,log.roll.hours")]
    [InlineData("segment.jitter.ms", "log.roll.jitter.ms,log.roll.jitter.hours")]
    [InlineData("segment.bytes", "log.segment.bytes")]
    [InlineData("segment.index.bytes", "log.index.size.max.bytes")]
    [InlineData("max.message.bytes", "message.max.bytes")]
    [InlineData("cleanup.policy", "log.cleanup.policy")]
    [InlineData("flush.ms", "log.flush.interval.ms,log.flush.scheduler.interval.ms")]
    [InlineData("flush.messages", "log.flush.interval.messages")]
    [InlineData("file.delete.delay.ms", "log.segment.delete.delay.ms")]
    [InlineData("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio")]
    [InlineData("delete.retention.ms", "log.cleaner.delete.retention.ms")]
    [InlineData("compression.type", "compression.type")]
    [InlineData("min.insync.replicas", "min.insync.replicas")]
    [InlineData("leader.replication.throttled.replicas", "")]
    [InlineData("remote.storage.enable", "")]
    public void Topic_synonyms_follow_ServerTopicConfigSynonyms(string topicName, string expected)
    {
        string actual = string.Join(",", TopicConfigs.Registry[topicName].BrokerSynonyms.Select(s => s.Name));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("log.retention.hours", "log.retention.ms,log.retention.minutes,log.retention.hours")]
    [InlineData("log.roll.ms", "log.roll.ms,log.roll.hours")]
    [InlineData("log.flush.interval.ms", "log.flush.interval.ms,log.flush.scheduler.interval.ms")]
    [InlineData("message.max.bytes", "message.max.bytes")]
    public void Broker_synonym_groups_match_DynamicBrokerConfig(string name, string expected)
    {
        Assert.Equal(expected, string.Join(",", BrokerConfig.BrokerSynonymNames(name)));
    }

    [Fact]
    public void Unknown_name_uses_Kafka_wording()
    {
        Assert.False(TopicConfigs.Registry.TryParse("retention.mss", "1", out _, out string? error));
        Assert.Equal("Unknown topic config name: retention.mss", error);
    }

    [Fact]
    public void Indexer_throws_for_unknown_names()
    {
        Assert.Throws<KeyNotFoundException>(() => TopicConfigs.Registry["nope"]);
    }

    [Fact]
    public void Duplicate_definitions_are_refused()
    {
        var definition = new ConfigDefinition("a.b", ConfigType.Int, 1, "Doc.");
        Assert.Throws<ArgumentException>(() => new ConfigRegistry("test", [definition, definition]));
    }

    [Fact]
    public void Default_of_the_wrong_type_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new ConfigRegistry("test", [new ConfigDefinition("a.b", ConfigType.Long, 1, "Doc.")]));
    }

    [Fact]
    public void Default_failing_its_validator_is_refused()
    {
        var definition = new ConfigDefinition("a.b", ConfigType.Int, 0, "Doc.") { Validator = ConfigValidator.AtLeast(1) };
        Assert.Throws<ArgumentException>(() => new ConfigRegistry("test", [definition]));
    }

    [Fact]
    public void Password_configs_are_always_sensitive_and_print_hidden()
    {
        var definition = new ConfigDefinition("secret.key", ConfigType.Password, null, "Doc.");
        Assert.True(definition.Sensitive);
        Assert.True(definition.TryParse(" s3cret ", out object? parsed, out _));
        Assert.Equal("[hidden]", parsed.ToString());
        Assert.Equal("s3cret", ((ConfigPassword)parsed).Value);
        var strict = definition with { Validator = ConfigValidator.Predicate(_ => "nope", "never") };
        Assert.False(strict.TryParse("s3cret", out _, out string? error));
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
    }
}
