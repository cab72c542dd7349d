using Runnel.Cli.Groups;

namespace Runnel.Cli.Tests.Groups;

public class TopicPartitionsArgumentTests
{
    [Fact]
    public void A_bare_topic_means_every_partition()
    {
        Assert.True(TopicPartitionsArgument.TryParse("orders", out TopicPartitionsArgument? argument, out _));
        Assert.Equal("orders", argument!.Topic);
        Assert.Null(argument.Partitions);
    }

    [Fact]
    public void Partitions_follow_a_colon_and_duplicates_are_dropped()
    {
        Assert.True(TopicPartitionsArgument.TryParse("orders:2,0,2", out TopicPartitionsArgument? argument, out _));
        Assert.Equal("orders", argument!.Topic);
        Assert.Equal([2, 0], argument.Partitions!);
    }

    [Theory]
    [InlineData("orders:", "Invalid topic arg 'orders:', expected topic name and partitions")]
    [InlineData(":1", "Invalid topic arg ':1', expected topic name and partitions")]
    [InlineData("a:1:2", "Invalid topic arg 'a:1:2', expected topic name and partitions")]
    [InlineData("a:1,-1", "Invalid partition '-1' specified in topic arg 'a:1,-1'")]
    [InlineData("a:1,", "Invalid partition '' specified in topic arg 'a:1,'")]
    public void Malformed_arguments_get_kafkas_message(string text, string message)
    {
        Assert.False(TopicPartitionsArgument.TryParse(text, out _, out string? problem));
        Assert.Equal(message, problem);
    }
}
