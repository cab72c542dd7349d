using Runnel.Cli.Groups;

namespace Runnel.Cli.Tests.Groups;

public class IsoDurationTests
{
    [Theory]
    [InlineData("PT1H", 3600.0)]
    [InlineData("P1DT2H3M4S", 93784.0)]
    [InlineData("PT0.5S", 0.5)]
    [InlineData("P2D", 172800.0)]
    [InlineData("-PT10M", -600.0)]
    public void Parses_javas_duration_format(string text, double seconds)
    {
        Assert.True(IsoDuration.TryParse(text, out TimeSpan duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P1H")]
    [InlineData("1h")]
    [InlineData("P1Y")]
    [InlineData("")]
    public void Rejects_other_text(string text)
    {
        Assert.False(IsoDuration.TryParse(text, out _));
    }
}
