using System.CommandLine;
using Runnel.Cli.Commands;

namespace Runnel.Cli.Tests.Commands;

public class TopicsCommandLineTests
{
    [Fact]
    public void Create_reads_topic_partitions_replication_factor_and_configs()
    {
        (TopicsCreateCommand command, ParseResult result) = CommandLine.ParseValid<TopicsCreateCommand>(
            "topics", "create", "--topic", "orders", "--partitions", "16", "--replication-factor", "1",
            "--config", "retention.ms=1000", "cleanup.policy=compact", "--config", "segment.bytes=1048576", "--if-not-exists");

        Assert.Equal("orders", result.GetValue(command.Topic));
        Assert.Equal(16, result.GetValue(command.Partitions));
        Assert.Equal((short)1, result.GetValue(command.ReplicationFactor));
        Assert.Equal(["retention.ms=1000", "cleanup.policy=compact", "segment.bytes=1048576"], result.GetValue(command.Config)!);
        Assert.True(result.GetValue(command.IfNotExists));
    }

    [Fact]
    public void Create_leaves_partitions_and_replication_factor_to_the_broker_by_default()
    {
        (TopicsCreateCommand command, ParseResult result) = CommandLine.ParseValid<TopicsCreateCommand>("topics", "create", "--topic", "t");
        Assert.Null(result.GetValue(command.Partitions));
        Assert.Null(result.GetValue(command.ReplicationFactor));
    }

    [Fact]
    public void Create_requires_a_topic()
    {
        Assert.Contains("--topic", CommandLine.Errors("topics", "create", "--partitions", "3"), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_rejects_zero_partitions_and_configs_without_equals()
    {
        Assert.Contains("--partitions must be at least 1", CommandLine.Errors("topics", "create", "--topic", "t", "--partitions", "0"), StringComparison.Ordinal);
        Assert.Contains("expected key=value", CommandLine.Errors("topics", "create", "--topic", "t", "--config", "retention.ms"), StringComparison.Ordinal);
    }

    [Fact]
    public void List_accepts_exclude_internal()
    {
        (TopicsListCommand command, ParseResult result) = CommandLine.ParseValid<TopicsListCommand>("topics", "list", "--exclude-internal");
        Assert.True(result.GetValue(command.ExcludeInternal));
    }

    [Fact]
    public void Describe_takes_no_topic_or_several()
    {
        (TopicsDescribeCommand command, ParseResult all) = CommandLine.ParseValid<TopicsDescribeCommand>("topics", "describe");
        Assert.Empty(all.GetValue(command.Topic) ?? []);

        (command, ParseResult some) = CommandLine.ParseValid<TopicsDescribeCommand>("topics", "describe", "--topic", "a", "b", "--topic", "c");
        Assert.Equal(["a", "b", "c"], some.GetValue(command.Topic)!);
    }

    [Fact]
    public void Delete_requires_a_topic_and_accepts_if_exists()
    {
        Assert.Contains("--topic", CommandLine.Errors("topics", "delete"), StringComparison.Ordinal);
        (TopicsDeleteCommand command, ParseResult result) = CommandLine.ParseValid<TopicsDeleteCommand>("topics", "delete", "--topic", "t", "--if-exists");
        Assert.True(result.GetValue(command.IfExists));
    }

    [Fact]
    public void Alter_reads_partitions_and_config_changes()
    {
        (TopicsAlterCommand command, ParseResult result) = CommandLine.ParseValid<TopicsAlterCommand>(
            "topics", "alter", "--topic", "t", "--partitions", "8", "--add-config", "retention.ms=5,segment.ms=[1,2]", "--delete-config", "flush.ms");

        Assert.Equal(8, result.GetValue(command.Partitions));
        Assert.Equal(["retention.ms=5,segment.ms=[1,2]"], result.GetValue(command.AddConfig)!);
        Assert.Equal(["flush.ms"], result.GetValue(command.DeleteConfig)!);
    }

    [Fact]
    public void Alter_needs_something_to_change()
    {
        Assert.Contains("Nothing to alter", CommandLine.Errors("topics", "alter", "--topic", "t"), StringComparison.Ordinal);
    }

    [Fact]
    public void Alter_rejects_malformed_add_config()
    {
        Assert.Contains("expected key=value", CommandLine.Errors("topics", "alter", "--topic", "t", "--add-config", "a=1,b"), StringComparison.Ordinal);
    }

    [Fact]
    public void Topics_without_a_subcommand_is_an_error()
    {
        Assert.NotEmpty(CommandLine.Parse("topics").Errors);
    }

    [Fact]
    public void Internal_topics_are_kafkas()
    {
        Assert.True(TopicsCommand.IsInternal("__consumer_offsets"));
        Assert.True(TopicsCommand.IsInternal("__transaction_state"));
        Assert.False(TopicsCommand.IsInternal("__my_topic"));
    }
}
