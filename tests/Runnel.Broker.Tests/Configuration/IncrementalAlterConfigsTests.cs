using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class IncrementalAlterConfigsTests
{
    private static ConfigChangeResult Alter(IReadOnlyDictionary<string, string> current, params ConfigAlterOperation[] operations) =>
        TopicConfigResolver.ValidateIncrementalAlter(BrokerConfig.Default, current, operations);

    private static readonly Dictionary<string, string> s_none = [];

    [Fact]
    public void Set_adds_and_replaces_overrides_keeping_the_others()
    {
        var current = new Dictionary<string, string> { ["retention.ms"] = "1000", ["segment.bytes"] = "2000" };
        ConfigChangeResult result = Alter(current, new ConfigAlterOperation("retention.ms", AlterConfigOpType.Set, "5000"), new ConfigAlterOperation("flush.messages", AlterConfigOpType.Set, "1"));
        Assert.True(result.IsSuccess);
        Assert.Equal(new Dictionary<string, string> { ["retention.ms"] = "5000", ["segment.bytes"] = "2000", ["flush.messages"] = "1" }, result.Configs);
    }

    [Fact]
    public void Delete_removes_the_override_and_ignores_absent_keys()
    {
        var current = new Dictionary<string, string> { ["retention.ms"] = "1000" };
        ConfigChangeResult result = Alter(current, new ConfigAlterOperation("retention.ms", AlterConfigOpType.Delete, null), new ConfigAlterOperation("segment.ms", AlterConfigOpType.Delete, null));
        Assert.True(result.IsSuccess);
        Assert.Empty(result.Configs);
    }

    [Fact]
    public void Append_without_override_starts_from_the_effective_value()
    {
        ConfigChangeResult result = Alter(s_none, new ConfigAlterOperation("cleanup.policy", AlterConfigOpType.Append, "compact"));
        Assert.True(result.IsSuccess);
        Assert.Equal("delete,compact", result.Configs["cleanup.policy"]);
    }

    [Fact]
    public void Append_starts_from_the_broker_default_when_set()
    {
        BrokerConfig broker = BrokerConfig.FromProperties(new Dictionary<string, string> { ["log.cleanup.policy"] = "compact" });
        ConfigChangeResult result = TopicConfigResolver.ValidateIncrementalAlter(broker, s_none, [new("cleanup.policy", AlterConfigOpType.Append, "delete")]);
        Assert.Equal("compact,delete", result.Configs["cleanup.policy"]);
    }

    [Fact]
    public void Append_does_not_repeat_existing_elements()
    {
        var current = new Dictionary<string, string> { ["cleanup.policy"] = "compact" };
        ConfigChangeResult result = Alter(current, new ConfigAlterOperation("cleanup.policy", AlterConfigOpType.Append, "compact, delete"));
        Assert.Equal("compact,delete", result.Configs["cleanup.policy"]);
    }

    [Fact]
    public void Subtract_removes_elements_and_may_leave_an_empty_list()
    {
        var current = new Dictionary<string, string> { ["cleanup.policy"] = "compact,delete" };
        Assert.Equal("delete", Alter(current, new ConfigAlterOperation("cleanup.policy", AlterConfigOpType.Subtract, "compact")).Configs["cleanup.policy"]);
        Assert.Equal(string.Empty, Alter(current, new ConfigAlterOperation("cleanup.policy", AlterConfigOpType.Subtract, "compact,delete")).Configs["cleanup.policy"]);
    }

    [Fact]
    public void Subtract_of_a_missing_element_changes_nothing()
    {
        var current = new Dictionary<string, string> { ["leader.replication.throttled.replicas"] = "0:1,1:1" };
        ConfigChangeResult result = Alter(current, new ConfigAlterOperation("leader.replication.throttled.replicas", AlterConfigOpType.Subtract, "2:1"));
        Assert.Equal("0:1,1:1", result.Configs["leader.replication.throttled.replicas"]);
    }

    [Fact]
    public void Appended_elements_are_validated()
    {
        ConfigChangeResult result = Alter(s_none, new ConfigAlterOperation("cleanup.policy", AlterConfigOpType.Append, "shred"));
        Assert.Equal(40, result.ErrorCode);
        Assert.Equal("Invalid value delete,shred for configuration cleanup.policy: String must be one of: compact, delete", result.ErrorMessage);
    }

    [Theory]
    [InlineData(AlterConfigOpType.Append, "APPEND")]
    [InlineData(AlterConfigOpType.Subtract, "SUBTRACT")]
    public void Append_or_subtract_on_a_non_list_is_INVALID_CONFIG(AlterConfigOpType operation, string word)
    {
        ConfigChangeResult result = Alter(s_none, new ConfigAlterOperation("retention.ms", operation, "1"));
        Assert.Equal(40, result.ErrorCode);
        Assert.Equal($"Can't {word} to key retention.ms because its type is not LIST.", result.ErrorMessage);
    }

    [Fact]
    public void Append_to_an_unknown_key_is_INVALID_CONFIG()
    {
        ConfigChangeResult result = Alter(s_none, new ConfigAlterOperation("cleanup.policies", AlterConfigOpType.Append, "compact"));
        Assert.Equal(40, result.ErrorCode);
        Assert.Equal("Unknown topic config name: cleanup.policies", result.ErrorMessage);
    }

    [Fact]
    public void Set_of_an_unknown_key_is_INVALID_CONFIG()
    {
        Assert.Equal(40, Alter(s_none, new ConfigAlterOperation("retention.hours", AlterConfigOpType.Set, "1")).ErrorCode);
    }

    [Fact]
    public void Null_value_for_set_is_INVALID_REQUEST()
    {
        ConfigChangeResult result = Alter(s_none, new ConfigAlterOperation("retention.ms", AlterConfigOpType.Set, null));
        Assert.Equal(42, result.ErrorCode);
        Assert.Equal("Null value not supported for : retention.ms", result.ErrorMessage);
    }

    [Fact]
    public void Same_key_twice_is_INVALID_REQUEST()
    {
        ConfigChangeResult result = Alter(s_none, new ConfigAlterOperation("retention.ms", AlterConfigOpType.Set, "1"), new ConfigAlterOperation("retention.ms", AlterConfigOpType.Delete, null));
        Assert.Equal(42, result.ErrorCode);
    }

    [Fact]
    public void Incremental_change_is_checked_against_the_other_overrides()
    {
        var current = new Dictionary<string, string> { ["max.compaction.lag.ms"] = "50" };
        ConfigChangeResult result = Alter(current, new ConfigAlterOperation("min.compaction.lag.ms", AlterConfigOpType.Set, "100"));
        Assert.Equal(40, result.ErrorCode);
        Assert.Contains("conflict topic config setting", result.ErrorMessage, StringComparison.Ordinal);
    }
}
