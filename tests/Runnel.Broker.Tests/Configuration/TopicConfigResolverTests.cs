using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class TopicConfigResolverTests
{
    private static readonly Dictionary<string, string> s_none = [];

    private static BrokerConfig Broker(params (string Key, string Value)[] pairs) =>
        BrokerConfig.FromProperties(pairs.ToDictionary(p => p.Key, p => p.Value));

    private static long RetentionMs(BrokerConfig broker, out ConfigSource source) =>
        (long)TopicConfigResolver.GetValue(broker, s_none, "retention.ms", out source);

    [Fact]
    public void Without_broker_settings_retention_comes_from_log_retention_hours_default()
    {
        Assert.Equal(604_800_000L, RetentionMs(BrokerConfig.Default, out ConfigSource source));
        Assert.Equal(ConfigSource.DefaultConfig, source);
    }

    [Fact]
    public void Log_retention_hours_is_converted_to_milliseconds()
    {
        Assert.Equal(2 * 3_600_000L, RetentionMs(Broker(("log.retention.hours", "2")), out ConfigSource source));
        Assert.Equal(ConfigSource.StaticBrokerConfig, source);
    }

    [Fact]
    public void Log_retention_minutes_beats_hours()
    {
        Assert.Equal(30 * 60_000L, RetentionMs(Broker(("log.retention.hours", "2"), ("log.retention.minutes", "30")), out _));
    }

    [Fact]
    public void Log_retention_ms_beats_minutes_and_hours()
    {
        Assert.Equal(1234L, RetentionMs(Broker(("log.retention.hours", "2"), ("log.retention.minutes", "30"), ("log.retention.ms", "1234")), out _));
    }

    [Fact]
    public void Negative_broker_retention_means_unlimited()
    {
        Assert.Equal(-1L, RetentionMs(Broker(("log.retention.ms", "-5")), out _));
    }

    [Fact]
    public void Topic_override_beats_every_broker_synonym()
    {
        var overrides = new Dictionary<string, string> { ["retention.ms"] = "42" };
        BrokerConfig broker = Broker(("log.retention.ms", "1234"));
        Assert.Equal(42L, TopicConfigResolver.GetValue(broker, overrides, "retention.ms", out ConfigSource source));
        Assert.Equal(ConfigSource.DynamicTopicConfig, source);
    }

    [Fact]
    public void Segment_ms_comes_from_log_roll_hours_and_flush_ms_from_the_scheduler_interval()
    {
        BrokerConfig broker = Broker(("log.roll.hours", "1"), ("log.flush.scheduler.interval.ms", "500"));
        Assert.Equal(3_600_000L, TopicConfigResolver.GetValue(broker, s_none, "segment.ms", out _));
        Assert.Equal(500L, TopicConfigResolver.GetValue(broker, s_none, "flush.ms", out _));
    }

    [Fact]
    public void Resolve_gives_typed_values_for_the_log_layer()
    {
        BrokerConfig broker = Broker(("log.segment.bytes", "2097152"), ("message.max.bytes", "2000"), ("runnel.log.flush.on.acks.all", "true"));
        ResolvedTopicConfig resolved = TopicConfigResolver.Resolve(broker, new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact,delete",
            ["compression.type"] = "zstd",
            ["message.timestamp.type"] = "LogAppendTime",
            ["retention.bytes"] = "1000",
        });
        Assert.True(resolved.CleanupPolicyCompact);
        Assert.True(resolved.CleanupPolicyDelete);
        Assert.Equal(BrokerCompressionType.Zstd, resolved.CompressionType);
        Assert.Equal(MessageTimestampType.LogAppendTime, resolved.MessageTimestampType);
        Assert.Equal(1000L, resolved.RetentionBytes);
        Assert.Equal(2_097_152, resolved.SegmentBytes);
        Assert.Equal(2000, resolved.MaxMessageBytes);
        Assert.Equal(604_800_000L, resolved.RetentionMs);
        Assert.Equal(long.MaxValue, resolved.FlushMs);
        Assert.Equal(3_600_000L, resolved.MessageTimestampAfterMaxMs);
        Assert.True(resolved.FlushOnAcksAll);
    }

    [Fact]
    public void Broker_topic_defaults_match_Kafka_topic_defaults()
    {
        ResolvedTopicConfig defaults = BrokerConfig.Default.TopicDefaults;
        Assert.Equal(1024 * 1024 * 1024, defaults.SegmentBytes);
        Assert.Equal(604_800_000L, defaults.SegmentMs);
        Assert.Equal(10 * 1024 * 1024, defaults.SegmentIndexBytes);
        Assert.Equal(4096, defaults.IndexIntervalBytes);
        Assert.Equal(-1L, defaults.RetentionBytes);
        Assert.Equal(1_048_588, defaults.MaxMessageBytes);
        Assert.Equal(BrokerCompressionType.Producer, defaults.CompressionType);
        Assert.True(defaults.CleanupPolicyDelete);
        Assert.False(defaults.CleanupPolicyCompact);
        Assert.Equal(0.5, defaults.MinCleanableDirtyRatio);
        Assert.Equal(long.MaxValue, defaults.FlushMessages);
        Assert.False(defaults.FlushOnAcksAll);
    }

    [Fact]
    public void Create_with_valid_configs_returns_the_overrides_to_store()
    {
        ConfigChangeResult result = TopicConfigResolver.ValidateCreate(BrokerConfig.Default,
        [
            new("retention.ms", "1000"),
            new("cleanup.policy", "compact"),
        ]);
        Assert.True(result.IsSuccess);
        Assert.Equal(0, result.ErrorCode);
        Assert.Null(result.ErrorMessage);
        Assert.Equal("1000", result.Configs["retention.ms"]);
        Assert.Equal(2, result.Configs.Count);
    }

    [Fact]
    public void Create_with_unknown_name_is_INVALID_CONFIG_with_Kafkas_message()
    {
        ConfigChangeResult result = TopicConfigResolver.ValidateCreate(BrokerConfig.Default, [new("retention.hours", "1")]);
        Assert.Equal(40, result.ErrorCode);
        Assert.Equal("Unknown topic config name: retention.hours", result.ErrorMessage);
    }

    [Fact]
    public void Create_with_bad_value_is_INVALID_CONFIG_with_Kafkas_message()
    {
        ConfigChangeResult result = TopicConfigResolver.ValidateCreate(BrokerConfig.Default, [new("segment.bytes", "10")]);
        Assert.Equal(40, result.ErrorCode);
        Assert.Equal("Invalid value 10 for configuration segment.bytes: Value must be at least 14", result.ErrorMessage);
    }

    [Fact]
    public void Create_reports_every_bad_config()
    {
        ConfigChangeResult result = TopicConfigResolver.ValidateCreate(BrokerConfig.Default,
            [new("segment.bytes", "10"), new("nope", "1"), new("cleanup.policy", "delete")]);
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal("Invalid value 10 for configuration segment.bytes: Value must be at least 14; Unknown topic config name: nope", result.ErrorMessage);
    }

    [Fact]
    public void Create_with_null_value_is_INVALID_CONFIG()
    {
        ConfigChangeResult result = TopicConfigResolver.ValidateCreate(BrokerConfig.Default, [new("retention.ms", null)]);
        Assert.Equal(40, result.ErrorCode);
        Assert.Equal("Null value not supported for topic configs: retention.ms", result.ErrorMessage);
    }

    [Fact]
    public void Min_compaction_lag_above_max_is_refused()
    {
        ConfigChangeResult result = TopicConfigResolver.ValidateCreate(BrokerConfig.Default,
            [new("min.compaction.lag.ms", "100"), new("max.compaction.lag.ms", "50")]);
        Assert.Equal(40, result.ErrorCode);
        Assert.Equal("conflict topic config setting min.compaction.lag.ms (100) > max.compaction.lag.ms (50)", result.ErrorMessage);
    }

    [Fact]
    public void Remote_storage_is_refused_because_tiered_storage_is_off()
    {
        ConfigChangeResult result = TopicConfigResolver.ValidateCreate(BrokerConfig.Default, [new("remote.storage.enable", "true")]);
        Assert.Equal(40, result.ErrorCode);
        Assert.Contains("Tiered Storage functionality is disabled", result.ErrorMessage, StringComparison.Ordinal);
        Assert.True(TopicConfigResolver.ValidateCreate(BrokerConfig.Default, [new("remote.storage.enable", "false")]).IsSuccess);
    }

    [Fact]
    public void Legacy_alter_replaces_all_overrides()
    {
        var current = new Dictionary<string, string> { ["retention.ms"] = "1000", ["segment.bytes"] = "1000000" };
        ConfigChangeResult result = TopicConfigResolver.ValidateAlter(BrokerConfig.Default, current, [new("cleanup.policy", "compact")]);
        Assert.True(result.IsSuccess);
        Assert.Equal(new Dictionary<string, string> { ["cleanup.policy"] = "compact" }, result.Configs);
    }

    [Fact]
    public void Failed_alter_returns_the_current_overrides_unchanged()
    {
        var current = new Dictionary<string, string> { ["retention.ms"] = "1000" };
        ConfigChangeResult result = TopicConfigResolver.ValidateAlter(BrokerConfig.Default, current, [new("retention.ms", "x")]);
        Assert.False(result.IsSuccess);
        Assert.Same(current, result.Configs);
    }

    [Fact]
    public void Alter_with_duplicate_keys_is_INVALID_REQUEST()
    {
        ConfigChangeResult result = TopicConfigResolver.ValidateAlter(BrokerConfig.Default, s_none, [new("retention.ms", "1"), new("retention.ms", "2")]);
        Assert.Equal(42, result.ErrorCode);
        Assert.Equal("Error due to duplicate config keys", result.ErrorMessage);
    }
}
