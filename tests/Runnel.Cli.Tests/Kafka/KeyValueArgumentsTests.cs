using Runnel.Cli.Kafka;

namespace Runnel.Cli.Tests.Kafka;

public class KeyValueArgumentsTests
{
    [Fact]
    public void Splits_at_the_first_equals_sign_so_values_may_contain_more()
    {
        Assert.True(KeyValueArguments.TryParse("sasl.jaas.config=a=b=c", out string key, out string value));
        Assert.Equal("sasl.jaas.config", key);
        Assert.Equal("a=b=c", value);
    }

    [Fact]
    public void Accepts_an_empty_value()
    {
        Assert.True(KeyValueArguments.TryParse("null.marker=", out string key, out string value));
        Assert.Equal("null.marker", key);
        Assert.Equal(string.Empty, value);
    }

    [Theory]
    [InlineData("no-equals")]
    [InlineData("=value")]
    [InlineData("")]
    public void Rejects_arguments_without_a_key(string argument)
    {
        Assert.False(KeyValueArguments.TryParse(argument, out _, out _));
    }

    [Fact]
    public void Later_keys_override_earlier_ones()
    {
        Dictionary<string, string> parsed = KeyValueArguments.Parse(["acks=1", "linger.ms=5", "acks=all"]);
        Assert.Equal("all", parsed["acks"]);
        Assert.Equal("5", parsed["linger.ms"]);
    }

    [Fact]
    public void Parse_throws_a_tool_exception_naming_the_bad_argument()
    {
        ToolException e = Assert.Throws<ToolException>(() => KeyValueArguments.Parse(["acks"]));
        Assert.Contains("'acks'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(@"\t", "\t")]
    [InlineData(@"a\nb", "a\nb")]
    [InlineData(@"\\t", @"\t")]
    [InlineData(@"\x", @"\x")]
    [InlineData(@"plain", "plain")]
    [InlineData(@"end\", @"end\")]
    public void Unescape_turns_shell_unfriendly_escapes_into_characters(string input, string expected)
    {
        Assert.Equal(expected, KeyValueArguments.Unescape(input));
    }
}
