using Runnel.Cli.Groups;

namespace Runnel.Cli.Tests.Groups;

public class KafkaDateTimeTests
{
    [Theory]
    [InlineData("2024-05-01T10:00:00.000", 1714557600000L)]
    [InlineData("2024-05-01T10:00:00.123Z", 1714557600123L)]
    [InlineData("2024-05-01T12:30:00.000+02:30", 1714557600000L)]
    [InlineData("2024-05-01T12:30:00.000+0230", 1714557600000L)]
    [InlineData("2024-05-01T05:00:00.000-05", 1714557600000L)]
    [InlineData("2024-02-29T00:00:00.000", 1709164800000L)]
    public void Parses_kafkas_format_with_and_without_a_zone(string text, long expected)
    {
        Assert.True(KafkaDateTime.TryParse(text, out long actual));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("2024-05-01")]
    [InlineData("2024-05-01T10:00:00")]
    [InlineData("2024-05-01T10:00:00.0")]
    [InlineData("2024-05-01 10:00:00.000")]
    [InlineData("2023-02-29T00:00:00.000")]
    [InlineData("2024-13-01T00:00:00.000")]
    [InlineData("2024-05-01T24:00:00.000")]
    [InlineData("2024-05-01T10:00:00.000+25:00")]
    [InlineData("2024-05-01T10:00:00.000 UTC")]
    public void Rejects_what_kafka_rejects(string text)
    {
        Assert.False(KafkaDateTime.TryParse(text, out _));
    }
}
