using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class ConfigParsingTests
{
    private static object Parse(string scopeName, string name, string value)
    {
        ConfigRegistry registry = scopeName == "topic" ? TopicConfigs.Registry : BrokerConfigs.Registry;
        Assert.True(registry.TryParse(name, value, out object? parsed, out string? error), error);
        return parsed;
    }

    private static string Fail(string name, string value)
    {
        Assert.False(TopicConfigs.Registry.TryParse(name, value, out _, out string? error));
        return error;
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData(" False ", false)]
    [InlineData("tRuE", true)]
    public void Booleans_are_case_insensitive_and_trimmed(string text, bool expected)
    {
        Assert.Equal(expected, Parse("topic", "preallocate", text));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("")]
    public void Other_boolean_spellings_are_refused(string text)
    {
        Assert.Equal($"Invalid value {text} for configuration preallocate: Expected value to be either true or false", Fail("preallocate", text));
    }

    [Fact]
    public void Numbers_are_plain_decimals_with_optional_sign()
    {
        Assert.Equal(604800000L, Parse("topic", "retention.ms", " 604800000 "));
        Assert.Equal(-1L, Parse("topic", "retention.ms", "-1"));
        Assert.Equal(5L, Parse("topic", "retention.ms", "+5"));
    }

    [Theory]
    [InlineData("1GB")]
    [InlineData("1e9")]
    [InlineData("0x10")]
    [InlineData("1_000")]
    [InlineData("2147483648")]
    public void Sizes_with_suffixes_or_out_of_range_are_not_numbers(string text)
    {
        Assert.Equal($"Invalid value {text} for configuration segment.bytes: Not a number of type INT", Fail("segment.bytes", text));
    }

    [Fact]
    public void Long_parse_error_names_the_type()
    {
        Assert.Equal("Invalid value abc for configuration retention.ms: Not a number of type LONG", Fail("retention.ms", "abc"));
    }

    [Fact]
    public void Shorts_are_range_checked()
    {
        Assert.Equal((short)3, Parse("broker", "offsets.topic.replication.factor", "3"));
        Assert.False(BrokerConfigs.Registry.TryParse("offsets.topic.replication.factor", "40000", out _, out string? error));
        Assert.Contains("Not a number of type SHORT", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Doubles_accept_decimal_and_exponent_forms()
    {
        Assert.Equal(0.25, Parse("topic", "min.cleanable.dirty.ratio", "0.25"));
        Assert.Equal(0.5, Parse("topic", "min.cleanable.dirty.ratio", "5e-1"));
        Assert.Equal("Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1", Fail("min.cleanable.dirty.ratio", "1.5"));
        Assert.Equal("Invalid value -0.1 for configuration min.cleanable.dirty.ratio: Value must be at least 0", Fail("min.cleanable.dirty.ratio", "-0.1"));
    }

    [Fact]
    public void Lists_are_comma_separated_and_trimmed()
    {
        Assert.Equal(new[] { "compact", "delete" }, (IReadOnlyList<string>)Parse("topic", "cleanup.policy", " compact ,  delete "));
        Assert.Empty((IReadOnlyList<string>)Parse("topic", "cleanup.policy", "   "));
    }

    [Fact]
    public void List_elements_are_validated()
    {
        Assert.Equal("Invalid value compact,tidy for configuration cleanup.policy: String must be one of: compact, delete", Fail("cleanup.policy", "compact,tidy"));
    }

    [Theory]
    [InlineData("uncompressed")]
    [InlineData("zstd")]
    [InlineData("lz4")]
    [InlineData("snappy")]
    [InlineData("gzip")]
    [InlineData("producer")]
    public void Compression_types_are_Kafkas(string value)
    {
        Assert.Equal(value, Parse("topic", "compression.type", value));
    }

    [Fact]
    public void Valid_strings_are_case_sensitive()
    {
        Assert.Equal("Invalid value GZIP for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer", Fail("compression.type", "GZIP"));
        Assert.Equal("Invalid value createtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime", Fail("message.timestamp.type", "createtime"));
    }

    [Fact]
    public void Segment_bytes_minimum_is_14_for_topics_and_1_MiB_for_the_broker()
    {
        Assert.Equal(14, Parse("topic", "segment.bytes", "14"));
        Assert.Equal("Invalid value 13 for configuration segment.bytes: Value must be at least 14", Fail("segment.bytes", "13"));
        Assert.False(BrokerConfigs.Registry.TryParse("log.segment.bytes", "1048575", out _, out string? error));
        Assert.Equal("Invalid value 1048575 for configuration log.segment.bytes: Value must be at least 1048576", error);
    }

    [Fact]
    public void Retention_ms_allows_minus_one_only()
    {
        Assert.Equal(-1L, Parse("topic", "retention.ms", "-1"));
        Assert.Equal("Invalid value -2 for configuration retention.ms: Value must be at least -1", Fail("retention.ms", "-2"));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("0:1,1:1", true)]
    [InlineData("", true)]
    [InlineData("0-1", false)]
    [InlineData("*,0:1", false)]
    public void Throttled_replica_lists_follow_Kafkas_format(string value, bool valid)
    {
        Assert.Equal(valid, TopicConfigs.Registry.TryParse("leader.replication.throttled.replicas", value, out _, out _));
    }

    [Theory]
    [InlineData("-1", true)]
    [InlineData("1", true)]
    [InlineData("9", true)]
    [InlineData("0", false)]
    [InlineData("10", false)]
    public void Gzip_level_is_1_to_9_or_minus_1(string value, bool valid)
    {
        Assert.Equal(valid, TopicConfigs.Registry.TryParse("compression.gzip.level", value, out _, out _));
    }

    [Fact]
    public void Doubles_format_like_Java()
    {
        Assert.Equal("0.5", ConfigDefinition.FormatValue(ConfigType.Double, 0.5));
        Assert.Equal("1.0", ConfigDefinition.FormatValue(ConfigType.Double, 1.0));
        Assert.Equal("1.7976931348623157E308", ConfigDefinition.FormatValue(ConfigType.Double, double.MaxValue));
    }
}
