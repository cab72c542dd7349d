using Confluent.Kafka;
using Runnel.Cli.Groups;

namespace Runnel.Cli.Tests.Groups;

public class OffsetRangeTests
{
    private static readonly TopicPartition s_partition = new("orders", 3);

    [Fact]
    public void An_offset_inside_the_log_is_kept()
    {
        Assert.Equal(7, OffsetRange.Clamp(s_partition, 7, 5, 10, out string? warning));
        Assert.Null(warning);
        Assert.Equal(10, OffsetRange.Clamp(s_partition, 10, 5, 10, out _));
        Assert.Equal(5, OffsetRange.Clamp(s_partition, 5, 5, 10, out _));
    }

    [Fact]
    public void An_offset_past_the_end_becomes_the_log_end_offset_with_kafkas_warning()
    {
        Assert.Equal(10, OffsetRange.Clamp(s_partition, 99, 5, 10, out string? warning));
        Assert.Equal("WARN: New offset (99) is higher than latest offset for topic partition orders-3. Value will be set to 10", warning);
    }

    [Fact]
    public void An_offset_before_the_start_becomes_the_log_start_offset_with_kafkas_warning()
    {
        Assert.Equal(5, OffsetRange.Clamp(s_partition, -3, 5, 10, out string? warning));
        Assert.Equal("WARN: New offset (-3) is lower than earliest offset for topic partition orders-3. Value will be set to 5", warning);
    }

    [Fact]
    public void Unknown_bounds_are_not_applied()
    {
        Assert.Equal(99, OffsetRange.Clamp(s_partition, 99, null, null, out string? warning));
        Assert.Null(warning);
    }
}
