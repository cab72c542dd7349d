using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class JavaPropertiesTests
{
    private static IReadOnlyList<PropertiesEntry> Parse(string text)
    {
        IReadOnlyList<PropertiesEntry> entries = JavaProperties.Parse(text, out string? error);
        Assert.Null(error);
        return entries;
    }

    private static Dictionary<string, string> ParseToMap(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (PropertiesEntry entry in Parse(text))
        {
            map[entry.Key] = entry.Value;
        }

        return map;
    }

    [Fact]
    public void Hash_and_bang_lines_are_comments_and_blank_lines_are_skipped()
    {
        var map = ParseToMap("# comment\n  ! also a comment\n\n   \na=1\n");
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, map);
    }

    [Fact]
    public void Equals_colon_and_whitespace_all_separate_key_and_value()
    {
        var map = ParseToMap("a=1\nb: 2\nc 3\nd   =   4\ne:\tfive\n");
        Assert.Equal("1", map["a"]);
        Assert.Equal("2", map["b"]);
        Assert.Equal("3", map["c"]);
        Assert.Equal("4", map["d"]);
        Assert.Equal("five", map["e"]);
    }

    [Fact]
    public void Only_the_first_separator_is_consumed()
    {
        var map = ParseToMap("listeners=PLAINTEXT://host:9092\nk==v\nm : = n\n");
        Assert.Equal("PLAINTEXT://host:9092", map["listeners"]);
        Assert.Equal("=v", map["k"]);
        Assert.Equal("= n", map["m"]);
    }

    [Fact]
    public void Key_without_value_has_empty_value()
    {
        var map = ParseToMap("lonely\nalso=\n");
        Assert.Equal(string.Empty, map["lonely"]);
        Assert.Equal(string.Empty, map["also"]);
    }

    [Fact]
    public void Trailing_whitespace_of_a_value_is_kept_and_leading_is_dropped()
    {
        var map = ParseToMap("a =   value  \n");
        Assert.Equal("value  ", map["a"]);
    }

    [Fact]
    public void Backslash_continues_a_line_and_drops_the_next_lines_indentation()
    {
        var map = ParseToMap("log.dirs=/a,\\\n    /b,\\\n\t/c\nnext=1\n");
        Assert.Equal("/a,/b,/c", map["log.dirs"]);
        Assert.Equal("1", map["next"]);
    }

    [Fact]
    public void Even_number_of_trailing_backslashes_is_an_escaped_backslash_not_a_continuation()
    {
        var map = ParseToMap("path=C:\\\\\nnext=1\n");
        Assert.Equal("C:\\", map["path"]);
        Assert.Equal("1", map["next"]);
    }

    [Fact]
    public void Comment_lines_do_not_continue()
    {
        var map = ParseToMap("# comment \\\na=1\n");
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, map);
    }

    [Fact]
    public void Escapes_in_keys_and_values_are_decoded()
    {
        var map = ParseToMap("my\\=key\\:x\\ y=tab\\there\\nnewline\\u0041\\#\\!\\\\\n");
        Assert.Equal("tab\there\nnewlineA#!\\", map["my=key:x y"]);
    }

    [Fact]
    public void Unknown_escape_stands_for_the_character()
    {
        var map = ParseToMap("a=\\q\\z\n");
        Assert.Equal("qz", map["a"]);
    }

    [Fact]
    public void Crlf_and_cr_line_endings_are_accepted()
    {
        var map = ParseToMap("a=1\r\nb=2\rc=3");
        Assert.Equal(3, map.Count);
        Assert.Equal("2", map["b"]);
        Assert.Equal("3", map["c"]);
    }

    [Fact]
    public void Later_duplicate_wins_and_every_entry_keeps_its_line()
    {
        IReadOnlyList<PropertiesEntry> entries = Parse("a=1\n\n# c\na=2\n");
        Assert.Equal([new PropertiesEntry("a", "1", 1), new PropertiesEntry("a", "2", 4)], entries);
    }

    [Fact]
    public void Continued_entry_reports_the_line_it_starts_on()
    {
        IReadOnlyList<PropertiesEntry> entries = Parse("x=1\ny=a\\\n b\nz=3\n");
        Assert.Equal(4, entries[2].Line);
        Assert.Equal(2, entries[1].Line);
    }

    [Fact]
    public void Malformed_unicode_escape_is_reported_with_its_line()
    {
        IReadOnlyList<PropertiesEntry> entries = JavaProperties.Parse("a=1\nb=\\u12G4\n", out string? error);
        Assert.Single(entries);
        Assert.Equal("line 2: Malformed \\uxxxx encoding.", error);
    }

    [Fact]
    public void Truncated_unicode_escape_is_malformed()
    {
        JavaProperties.Parse("b=\\u12", out string? error);
        Assert.NotNull(error);
    }

    [Fact]
    public void Continuation_at_end_of_file_ends_the_value()
    {
        var map = ParseToMap("a=1\\");
        Assert.Equal("1", map["a"]);
    }
}
