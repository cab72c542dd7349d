using Runnel.Cli.Kafka;
using Runnel.Cli.Records;

namespace Runnel.Cli.Tests.Records;

public class LineMessageReaderTests
{
    private static LineMessageReader Reader(params string[] properties) =>
        new(LineReaderOptions.FromProperties(KeyValueArguments.Parse(properties)));

    private static LineRecord Parse(LineMessageReader reader, string line)
    {
        Assert.True(reader.TryParse(line, 1, out LineRecord? record, out string? error), error);
        return record!;
    }

    [Fact]
    public void By_default_the_whole_line_is_the_value()
    {
        LineRecord record = Parse(Reader(), "key\tvalue:with,separators");
        Assert.Null(record.Key);
        Assert.Equal("key\tvalue:with,separators", record.Value);
        Assert.Empty(record.Headers);
    }

    [Fact]
    public void Parse_key_splits_at_the_first_key_separator()
    {
        LineRecord record = Parse(Reader("parse.key=true", "key.separator=:"), "user-1:{\"a\":1}");
        Assert.Equal("user-1", record.Key);
        Assert.Equal("{\"a\":1}", record.Value);
    }

    [Fact]
    public void The_default_key_separator_is_a_tab()
    {
        LineRecord record = Parse(Reader("parse.key=true"), "k\tv");
        Assert.Equal(("k", "v"), (record.Key, record.Value));
    }

    [Fact]
    public void A_multi_character_separator_is_matched_whole()
    {
        LineRecord record = Parse(Reader("parse.key=true", "key.separator=::"), "a:b::c");
        Assert.Equal(("a:b", "c"), (record.Key, record.Value));
    }

    [Fact]
    public void A_missing_key_separator_is_an_error_naming_the_line()
    {
        LineMessageReader reader = Reader("parse.key=true", "key.separator=:");
        Assert.False(reader.TryParse("no separator here", 7, out _, out string? error));
        Assert.Equal("No key separator found on line number 7: 'no separator here'", error);
    }

    [Fact]
    public void Ignore_error_sends_a_line_without_key_separator_as_a_value_with_null_key()
    {
        LineRecord record = Parse(Reader("parse.key=true", "key.separator=:", "ignore.error=true"), "just a value");
        Assert.Null(record.Key);
        Assert.Equal("just a value", record.Value);
    }

    [Fact]
    public void Headers_come_before_the_headers_delimiter_then_key_then_value()
    {
        LineMessageReader reader = Reader("parse.headers=true", "parse.key=true", "key.separator=:");
        LineRecord record = Parse(reader, "h1:v1,h2:v2\tkey:value");

        Assert.Equal([new("h1", "v1"), new("h2", "v2")], record.Headers);
        Assert.Equal(("key", "value"), (record.Key, record.Value));
    }

    [Fact]
    public void Header_separators_are_configurable()
    {
        LineMessageReader reader = Reader("parse.headers=true", "headers.delimiter=|", "headers.separator=;", "headers.key.separator==");
        LineRecord record = Parse(reader, "a=1;b=x:y|payload");

        Assert.Equal([new("a", "1"), new("b", "x:y")], record.Headers);
        Assert.Equal("payload", record.Value);
    }

    [Fact]
    public void A_header_without_key_separator_is_an_error_unless_errors_are_ignored()
    {
        Assert.False(Reader("parse.headers=true").TryParse("flag\tvalue", 3, out _, out string? error));
        Assert.Equal("No header key separator found in pair 'flag' on line number 3", error);

        LineRecord record = Parse(Reader("parse.headers=true", "ignore.error=true"), "flag\tvalue");
        Assert.Equal([new("flag", null)], record.Headers);
    }

    [Fact]
    public void Header_values_may_be_empty()
    {
        LineRecord record = Parse(Reader("parse.headers=true"), "empty:\tvalue");
        Assert.Equal([new("empty", string.Empty)], record.Headers);
    }

    [Fact]
    public void The_null_marker_makes_key_value_and_header_values_null()
    {
        LineMessageReader reader = Reader("parse.headers=true", "parse.key=true", "key.separator=:", "null.marker=<null>");
        LineRecord record = Parse(reader, "h:<null>\t<null>:<null>");

        Assert.Null(record.Key);
        Assert.Null(record.Value);
        Assert.Equal([new("h", null)], record.Headers);
    }

    [Fact]
    public void A_header_key_equal_to_the_null_marker_is_an_error()
    {
        Assert.False(Reader("parse.headers=true", "null.marker=N").TryParse("N:v\tvalue", 1, out _, out string? error));
        Assert.Contains("null marker", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Separator_properties_accept_backslash_escapes()
    {
        LineReaderOptions options = LineReaderOptions.FromProperties(KeyValueArguments.Parse([@"key.separator=\t", @"headers.delimiter=\n"]));
        Assert.Equal("\t", options.KeySeparator);
        Assert.Equal("\n", options.HeadersDelimiter);
    }

    [Fact]
    public void Unknown_properties_are_rejected()
    {
        ToolException e = Assert.Throws<ToolException>(() => LineReaderOptions.FromProperties(KeyValueArguments.Parse(["parse.kye=true"])));
        Assert.Contains("parse.kye", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Boolean_properties_must_be_true_or_false()
    {
        Assert.Throws<ToolException>(() => LineReaderOptions.FromProperties(KeyValueArguments.Parse(["parse.key=yes"])));
    }

    [Fact]
    public void Empty_separators_are_rejected()
    {
        Assert.Throws<ToolException>(() => LineReaderOptions.FromProperties(KeyValueArguments.Parse(["key.separator="])));
    }
}
