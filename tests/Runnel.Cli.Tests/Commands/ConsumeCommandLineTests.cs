using System.CommandLine;
using Confluent.Kafka;
using Runnel.Cli.Commands;

namespace Runnel.Cli.Tests.Commands;

public class ConsumeCommandLineTests
{
    private static ConsumeSettings Bind(params string[] args)
    {
        (ConsumeCommand command, ParseResult result) = CommandLine.ParseValid<ConsumeCommand>(["consume", .. args]);
        return command.Bind(result);
    }

    [Fact]
    public void By_default_assigns_every_partition_from_the_latest_offset_without_a_group()
    {
        ConsumeSettings settings = Bind("--topic", "t");
        Assert.Null(settings.Partition);
        Assert.Null(settings.Group);
        Assert.Equal(Offset.End, settings.StartOffset);
        Assert.Null(settings.MaxMessages);
        Assert.Null(settings.IdleTimeout);
        Assert.Equal("latest", settings.Config["auto.offset.reset"]);
        Assert.Equal("false", settings.Config["enable.auto.commit"]);
        Assert.StartsWith("runnel-console-consumer-", settings.Config["group.id"], StringComparison.Ordinal);
    }

    [Fact]
    public void From_beginning_starts_at_the_earliest_offset()
    {
        ConsumeSettings settings = Bind("--topic", "t", "--from-beginning");
        Assert.Equal(Offset.Beginning, settings.StartOffset);
        Assert.Equal("earliest", settings.Config["auto.offset.reset"]);
    }

    [Theory]
    [InlineData("earliest", -2L)]
    [InlineData("latest", -1L)]
    [InlineData("42", 42L)]
    public void Offset_in_a_partition_accepts_earliest_latest_or_a_number(string offset, long expected)
    {
        ConsumeSettings settings = Bind("--topic", "t", "--partition", "3", "--offset", offset);
        Assert.Equal(3, settings.Partition);
        Assert.Equal(expected, settings.StartOffset.Value);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("first")]
    public void Offset_rejects_anything_else(string offset)
    {
        Assert.Contains("--offset must be", CommandLine.Errors("consume", "--topic", "t", "--partition", "0", "--offset", offset), StringComparison.Ordinal);
    }

    [Fact]
    public void Offset_needs_a_partition()
    {
        Assert.Contains("--offset needs --partition", CommandLine.Errors("consume", "--topic", "t", "--offset", "5"), StringComparison.Ordinal);
    }

    [Fact]
    public void Group_subscribes_and_excludes_partition_and_offset()
    {
        ConsumeSettings settings = Bind("--topic", "t", "--group", "g1");
        Assert.Equal("g1", settings.Group);
        Assert.Equal("g1", settings.Config["group.id"]);
        Assert.False(settings.Config.ContainsKey("enable.auto.commit"));

        Assert.Contains("--group cannot be combined", CommandLine.Errors("consume", "--topic", "t", "--group", "g", "--partition", "0"), StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_and_properties_are_read()
    {
        ConsumeSettings settings = Bind(
            "--topic", "t", "--max-messages", "10", "--timeout-ms", "1500",
            "--property", "print.key=true", "print.offset=true", "key.separator=|", "--isolation-level", "read_committed");

        Assert.Equal(10, settings.MaxMessages);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), settings.IdleTimeout);
        Assert.True(settings.FormatterOptions.PrintKey);
        Assert.True(settings.FormatterOptions.PrintOffset);
        Assert.Equal("|", settings.FormatterOptions.KeySeparator);
        Assert.Equal("read_committed", settings.Config["isolation.level"]);
    }

    [Fact]
    public void Consumer_properties_may_override_defaults()
    {
        ConsumeSettings settings = Bind("--topic", "t", "--consumer-property", "auto.offset.reset=earliest", "group.id=mine");
        Assert.Equal("earliest", settings.Config["auto.offset.reset"]);
        Assert.Equal("mine", settings.Config["group.id"]);
    }

    [Theory]
    [InlineData("--max-messages", "0")]
    [InlineData("--timeout-ms", "-1")]
    [InlineData("--isolation-level", "dirty")]
    public void Invalid_values_are_parse_errors(string option, string value)
    {
        Assert.NotEmpty(CommandLine.Parse("consume", "--topic", "t", option, value).Errors);
    }
}
