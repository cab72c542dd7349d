using System.CommandLine;
using Confluent.Kafka;
using Runnel.Cli.Commands;
using Runnel.Cli.Groups;

namespace Runnel.Cli.Tests.Commands;

public class GroupsCommandLineTests
{
    private static readonly DateTimeOffset s_now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void List_without_state_prints_ids_only()
    {
        (GroupsListCommand command, ParseResult result) = CommandLine.ParseValid<GroupsListCommand>("groups", "list");
        Assert.Null(result.GetResult(command.State));
    }

    [Fact]
    public void List_accepts_state_with_or_without_a_filter()
    {
        (GroupsListCommand command, ParseResult bare) = CommandLine.ParseValid<GroupsListCommand>("groups", "list", "--state");
        Assert.NotNull(bare.GetResult(command.State));
        Assert.Null(bare.GetValue(command.State));

        (command, ParseResult filtered) = CommandLine.ParseValid<GroupsListCommand>("groups", "list", "--state", "stable,Empty");
        Assert.Equal("stable,Empty", filtered.GetValue(command.State));
        Assert.True(GroupsListCommand.TryParseStates("stable,Empty", out HashSet<ConsumerGroupState> states, out _));
        Assert.True(states.SetEquals([ConsumerGroupState.Empty, ConsumerGroupState.Stable]));
    }

    [Fact]
    public void List_rejects_an_unknown_state()
    {
        Assert.Contains("Invalid state list 'stable,sleepy'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty", CommandLine.Errors("groups", "list", "--state", "stable,sleepy"), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_takes_several_groups()
    {
        (GroupsDescribeCommand command, ParseResult result) = CommandLine.ParseValid<GroupsDescribeCommand>("groups", "describe", "--group", "a", "--group", "b", "c");
        Assert.Equal(["a", "b", "c"], result.GetValue(command.Groups.Group)!);
        Assert.False(result.GetValue(command.Groups.AllGroups));
    }

    [Fact]
    public void Describe_requires_a_group_or_all_groups_but_not_both()
    {
        Assert.Contains("groups describe takes one of these options: --group, --all-groups.", CommandLine.Errors("groups", "describe"), StringComparison.Ordinal);
        Assert.Contains("--group cannot be used with --all-groups.", CommandLine.Errors("groups", "describe", "--group", "a", "--all-groups"), StringComparison.Ordinal);
        (GroupsDescribeCommand command, ParseResult all) = CommandLine.ParseValid<GroupsDescribeCommand>("groups", "describe", "--all-groups");
        Assert.True(all.GetValue(command.Groups.AllGroups));
    }

    [Fact]
    public void Describe_takes_at_most_one_view()
    {
        Assert.Contains("at most one of these options: --members, --offsets, --state", CommandLine.Errors("groups", "describe", "--group", "a", "--members", "--state"), StringComparison.Ordinal);
        (GroupsDescribeCommand command, ParseResult result) = CommandLine.ParseValid<GroupsDescribeCommand>("groups", "describe", "--group", "a", "--members", "--verbose");
        Assert.True(result.GetValue(command.Members));
        Assert.True(result.GetValue(command.Verbose));
    }

    [Fact]
    public void Delete_requires_a_group_or_all_groups()
    {
        Assert.Contains("groups delete takes one of these options: --group, --all-groups.", CommandLine.Errors("groups", "delete"), StringComparison.Ordinal);
        (GroupsDeleteCommand command, ParseResult result) = CommandLine.ParseValid<GroupsDeleteCommand>("groups", "delete", "--group", "a", "--group", "b");
        Assert.Equal(["a", "b"], result.GetValue(command.Groups.Group)!);
    }

    [Fact]
    public void Reset_requires_a_group()
    {
        Assert.Contains("groups reset-offsets takes one of these options: --group, --all-groups.", CommandLine.Errors("groups", "reset-offsets", "--topic", "t", "--to-earliest"), StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_requires_exactly_one_scenario()
    {
        Assert.Contains(
            "groups reset-offsets needs one of these options: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --to-current, --to-offset.",
            CommandLine.Errors("groups", "reset-offsets", "--group", "g", "--topic", "t"),
            StringComparison.Ordinal);
        Assert.Contains(
            "--to-earliest and --to-offset cannot be used together",
            CommandLine.Errors("groups", "reset-offsets", "--group", "g", "--topic", "t", "--to-earliest", "--to-offset", "3"),
            StringComparison.Ordinal);
        Assert.Contains(
            "--to-datetime and --shift-by cannot be used together",
            CommandLine.Errors("groups", "reset-offsets", "--group", "g", "--topic", "t", "--shift-by", "1", "--to-datetime", "2024-01-01T00:00:00.000"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_requires_exactly_one_scope()
    {
        Assert.Contains("One of the reset scopes should be defined: --all-topics, --topic.", CommandLine.Errors("groups", "reset-offsets", "--group", "g", "--to-latest"), StringComparison.Ordinal);
        Assert.Contains("--topic cannot be used with --all-topics.", CommandLine.Errors("groups", "reset-offsets", "--group", "g", "--topic", "t", "--all-topics", "--to-latest"), StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_rejects_dry_run_with_execute()
    {
        Assert.Contains("only accepts one of --execute and --dry-run", CommandLine.Errors("groups", "reset-offsets", "--group", "g", "--all-topics", "--to-latest", "--dry-run", "--execute"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024-01-01")]
    [InlineData("2024-01-01T10:00:00")]
    [InlineData("2024-02-30T10:00:00.000")]
    [InlineData("yesterday")]
    public void Reset_rejects_a_bad_datetime(string datetime)
    {
        Assert.Contains(
            $"--to-datetime '{datetime}' is not a datetime of the form yyyy-MM-ddTHH:mm:ss.SSS[Z|±hh:mm]",
            CommandLine.Errors("groups", "reset-offsets", "--group", "g", "--all-topics", "--to-datetime", datetime),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_rejects_a_bad_duration_and_topic_partitions()
    {
        Assert.Contains("--by-duration 'P1H' is not a duration", CommandLine.Errors("groups", "reset-offsets", "--group", "g", "--all-topics", "--by-duration", "P1H"), StringComparison.Ordinal);
        Assert.Contains("Invalid partition 'x' specified in topic arg 't:0,x'", CommandLine.Errors("groups", "reset-offsets", "--group", "g", "--topic", "t:0,x", "--to-latest"), StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_reads_a_negative_shift_and_several_topics()
    {
        (GroupsResetOffsetsCommand command, ParseResult result) = CommandLine.ParseValid<GroupsResetOffsetsCommand>(
            "groups", "reset-offsets", "--group", "g", "--topic", "a", "b:0,2", "--topic", "c", "--shift-by", "-2", "--execute");

        Assert.Equal(["a", "b:0,2", "c"], result.GetValue(command.Topic)!);
        Assert.Equal(new OffsetResetSpecification(OffsetResetKind.ShiftBy, -2), command.GetSpecification(result, s_now));
        Assert.True(result.GetValue(command.Execute));
    }

    [Theory]
    [InlineData("--to-earliest", null, "ToEarliest", 0L)]
    [InlineData("--to-latest", null, "ToLatest", 0L)]
    [InlineData("--to-current", null, "ToCurrent", 0L)]
    [InlineData("--to-offset", "42", "ToOffset", 42L)]
    [InlineData("--to-datetime", "2024-05-01T10:00:00.000", "ToTimestamp", 1714557600000L)]
    [InlineData("--to-datetime", "2024-05-01T12:00:00.000+02:00", "ToTimestamp", 1714557600000L)]
    [InlineData("--by-duration", "PT2H", "ToTimestamp", 1714557600000L)]
    public void Reset_maps_each_scenario_to_its_specification(string option, string? value, string kind, long operand)
    {
        string[] args = value is null
            ? ["groups", "reset-offsets", "--group", "g", "--all-topics", option]
            : ["groups", "reset-offsets", "--group", "g", "--all-topics", option, value];
        (GroupsResetOffsetsCommand command, ParseResult result) = CommandLine.ParseValid<GroupsResetOffsetsCommand>(args);

        Assert.Equal(new OffsetResetSpecification(Enum.Parse<OffsetResetKind>(kind), operand), command.GetSpecification(result, s_now));
    }

    [Fact]
    public void Delete_offsets_requires_a_group_and_a_topic()
    {
        Assert.Contains("--group", CommandLine.Errors("groups", "delete-offsets", "--topic", "t"), StringComparison.Ordinal);
        Assert.Contains("--topic", CommandLine.Errors("groups", "delete-offsets", "--group", "g"), StringComparison.Ordinal);
        CommandLine.ParseValid<GroupsDeleteOffsetsCommand>("groups", "delete-offsets", "--group", "g", "--topic", "t:1");
    }

    [Fact]
    public void Groups_without_a_subcommand_is_an_error()
    {
        Assert.NotEmpty(CommandLine.Parse("groups").Errors);
    }
}
