using Runnel.Cli.Metrics;

namespace Runnel.Cli.Tests.Metrics;

public class PrometheusTextParserTests
{
    [Fact]
    public void Reads_samples_and_skips_help_type_comments_and_blank_lines()
    {
        List<PrometheusSample> samples = PrometheusTextParser.Parse(
            "# HELP runnel_network_requests_total Requests received, of every API.\n" +
            "# TYPE runnel_network_requests_total counter\n" +
            "runnel_network_requests_total 42\n" +
            "\n" +
            "# a free-form comment with {braces} and \"quotes\"\n" +
            "   \t\n" +
            "runnel_network_connections_active 3\r\n");

        Assert.Equal(2, samples.Count);
        Assert.Equal("runnel_network_requests_total", samples[0].Name);
        Assert.Equal(42, samples[0].Value);
        Assert.Empty(samples[0].Labels);
        Assert.Null(samples[0].TimestampMs);
        Assert.Equal("runnel_network_connections_active", samples[1].Name);
        Assert.Equal(3, samples[1].Value);
    }

    [Fact]
    public void Unescapes_quotes_backslashes_and_newlines_in_label_values()
    {
        PrometheusSample sample = Assert.Single(PrometheusTextParser.Parse(
            "m{topic=\"a\\\"b\\\\c\\nd\",path=\"C:\\\\dir\",empty=\"\"} 1\n"));

        Assert.Equal("a\"b\\c\nd", sample.Label("topic"));
        Assert.Equal("C:\\dir", sample.Label("path"));
        Assert.Equal(string.Empty, sample.Label("empty"));
        Assert.Null(sample.Label("missing"));
    }

    [Fact]
    public void Label_values_may_hold_commas_braces_spaces_and_hashes()
    {
        PrometheusSample sample = Assert.Single(PrometheusTextParser.Parse("m{a=\"x, y} # z\",b=\"2\"} 7"));

        Assert.Equal("x, y} # z", sample.Label("a"));
        Assert.Equal("2", sample.Label("b"));
        Assert.Equal(7, sample.Value);
    }

    [Theory]
    [InlineData("m NaN", double.NaN)]
    [InlineData("m +Inf", double.PositiveInfinity)]
    [InlineData("m -Inf", double.NegativeInfinity)]
    [InlineData("m Inf", double.PositiveInfinity)]
    [InlineData("m nan", double.NaN)]
    [InlineData("m 1E+21", 1e21)]
    [InlineData("m -0.125", -0.125)]
    [InlineData("m 0.42", 0.42)]
    public void Values_include_nan_and_infinities(string line, double expected)
    {
        Assert.Equal(expected, Assert.Single(PrometheusTextParser.Parse(line)).Value);
    }

    [Fact]
    public void Timestamps_empty_label_sets_trailing_commas_and_blanks_are_accepted()
    {
        List<PrometheusSample> samples = PrometheusTextParser.Parse(
            "a{} 1 1700000000000\n" +
            "b{x=\"1\",} 2\n" +
            "c { x = \"1\" , y=\"2\" }\t3\n" +
            "ns:d 4 -5\n");

        Assert.Equal([1700000000000L, null, null, -5L], samples.Select(s => s.TimestampMs));
        Assert.Equal(["a", "b", "c", "ns:d"], samples.Select(s => s.Name));
        Assert.Equal(["1", "2"], [samples[2].Label("x")!, samples[2].Label("y")!]);
        Assert.Equal("1", samples[1].Label("x"));
    }

    [Theory]
    [InlineData("<html><body>Not metrics</body></html>", "line 1: expected a metric name at column 1")]
    [InlineData("ok 1\nm{a=\"x} 1", "line 2: a label value is not closed")]
    [InlineData("m{a=\"\\t\"} 1", "line 1: '\\t' is not an escape")]
    [InlineData("m{a=\"1\" b=\"2\"} 1", "line 1: expected ',' or '}'")]
    [InlineData("m{a=\"1\",a=\"2\"} 1", "line 1: the label a appears twice")]
    [InlineData("m{a=1} 1", "line 1: expected '\"' at column 5")]
    [InlineData("m", "line 1: expected a value")]
    [InlineData("m one", "line 1: the value 'one' is not a number")]
    [InlineData("m 1 2 3", "line 1: expected a value and an optional timestamp")]
    [InlineData("m 1 later", "line 1: the timestamp 'later' is not an integer")]
    [InlineData("9m 1", "line 1: expected a metric name")]
    public void Anything_else_is_a_format_error_naming_the_line(string text, string message)
    {
        FormatException error = Assert.Throws<FormatException>(() => PrometheusTextParser.Parse(text));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
