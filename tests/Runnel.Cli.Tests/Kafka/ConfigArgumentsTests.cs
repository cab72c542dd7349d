using Confluent.Kafka.Admin;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Tests.Kafka;

public class ConfigArgumentsTests
{
    [Fact]
    public void Add_config_splits_entries_at_commas_outside_brackets()
    {
        List<KeyValuePair<string, string>> entries = [];
        Assert.True(ConfigArguments.TryParseAddConfig("retention.ms=1000,leader.replication.throttled.replicas=[0:1,1:1],cleanup.policy=compact", entries, out _));
        Assert.Equal(
            [new("retention.ms", "1000"), new("leader.replication.throttled.replicas", "0:1,1:1"), new("cleanup.policy", "compact")],
            entries);
    }

    [Fact]
    public void Add_config_rejects_an_entry_without_equals()
    {
        Assert.False(ConfigArguments.TryParseAddConfig("retention.ms=1,oops", [], out string? problem));
        Assert.Contains("'oops'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_changes_sets_added_and_deletes_removed_keys()
    {
        List<ConfigEntry> changes = ConfigArguments.BuildChanges(["retention.ms=5", "segment.bytes=1048576"], ["cleanup.policy,flush.ms", "max.message.bytes"]);

        Assert.Collection(
            changes,
            c => Assert.Equal(("retention.ms", "5", AlterConfigOpType.Set), (c.Name, c.Value, c.IncrementalOperation)),
            c => Assert.Equal(("segment.bytes", "1048576", AlterConfigOpType.Set), (c.Name, c.Value, c.IncrementalOperation)),
            c => Assert.Equal(("cleanup.policy", AlterConfigOpType.Delete), (c.Name, c.IncrementalOperation)),
            c => Assert.Equal(("flush.ms", AlterConfigOpType.Delete), (c.Name, c.IncrementalOperation)),
            c => Assert.Equal(("max.message.bytes", AlterConfigOpType.Delete), (c.Name, c.IncrementalOperation)));
    }
}
