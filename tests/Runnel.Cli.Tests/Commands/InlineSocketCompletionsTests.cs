using Runnel.Cli.Commands;

namespace Runnel.Cli.Tests.Commands;

public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void An_unset_variable_is_set_to_inline()
    {
        var environment = new Dictionary<string, string>();

        bool inline = InlineSocketCompletions.EnableUnlessSet(name => environment.GetValueOrDefault(name), (name, value) => environment[name] = value);

        Assert.True(inline);
        Assert.Equal("1", environment[InlineSocketCompletions.Variable]);
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("1", true)]
    [InlineData("", false)]
    public void A_value_in_the_environment_wins(string value, bool expected)
    {
        var environment = new Dictionary<string, string> { [InlineSocketCompletions.Variable] = value };

        bool inline = InlineSocketCompletions.EnableUnlessSet(name => environment.GetValueOrDefault(name), (name, v) => environment[name] = v);

        Assert.Equal(expected, inline);
        Assert.Equal(value, environment[InlineSocketCompletions.Variable]);
    }
}
