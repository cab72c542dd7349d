using Runnel.Cli.Kafka;

namespace Runnel.Cli.Tests.Kafka;

public class JavaPropertiesTests
{
    private static Dictionary<string, string> Parse(string text) => JavaProperties.Parse(new StringReader(text));

    [Fact]
    public void Reads_equals_colon_and_space_separated_pairs()
    {
        Dictionary<string, string> p = Parse("a=1\nb: 2\nc 3\n  d = 4  \n");
        Assert.Equal("1", p["a"]);
        Assert.Equal("2", p["b"]);
        Assert.Equal("3", p["c"]);
        Assert.Equal("4  ", p["d"]);
    }

    [Fact]
    public void Skips_comments_and_blank_lines()
    {
        Dictionary<string, string> p = Parse("# comment\n! also a comment\n\n   \nkey=value\n");
        Assert.Equal(["key"], p.Keys);
    }

    [Fact]
    public void A_trailing_backslash_continues_the_line()
    {
        Dictionary<string, string> p = Parse("sasl.jaas.config=first \\\n    second\nnext=1");
        Assert.Equal("first second", p["sasl.jaas.config"]);
        Assert.Equal("1", p["next"]);
    }

    [Fact]
    public void An_escaped_backslash_at_the_end_does_not_continue()
    {
        Dictionary<string, string> p = Parse("path=c:\\\\\nnext=1");
        Assert.Equal("c:\\", p["path"]);
        Assert.Equal("1", p["next"]);
    }

    [Fact]
    public void Decodes_escapes_in_keys_and_values()
    {
        Dictionary<string, string> p = Parse("key\\=with\\:separators=tab\\there \\u0041");
        Assert.Equal("tab\there A", p["key=with:separators"]);
    }

    [Fact]
    public void A_key_alone_has_an_empty_value()
    {
        Assert.Equal(string.Empty, Parse("lonely")["lonely"]);
    }
}
