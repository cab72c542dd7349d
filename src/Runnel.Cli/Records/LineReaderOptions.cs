using Runnel.Cli.Kafka;

namespace Runnel.Cli.Records;

/// <summary>
/// How <c>runnel produce</c> splits an input line, from <c>--property</c> values with the names and
/// defaults of Kafka's console producer (<c>LineMessageReader</c>): <c>parse.key</c> (false),
/// <c>key.separator</c> (tab), <c>parse.headers</c> (false), <c>headers.delimiter</c> (tab),
/// <c>headers.separator</c> (,), <c>headers.key.separator</c> (:), <c>null.marker</c> (none),
/// <c>ignore.error</c> (false). Separators accept <c>\t</c>-style escapes.
/// </summary>
internal sealed record LineReaderOptions
{
    public bool ParseKey { get; init; }

    public string KeySeparator { get; init; } = "\t";

    public bool ParseHeaders { get; init; }

    public string HeadersDelimiter { get; init; } = "\t";

    public string HeadersSeparator { get; init; } = ",";

    public string HeadersKeySeparator { get; init; } = ":";

    /// <summary>A key, value or header value equal to this is sent as null.</summary>
    public string? NullMarker { get; init; }

    /// <summary>When a separator is missing, keep going (no key or header) instead of failing.</summary>
    public bool IgnoreError { get; init; }

    public static LineReaderOptions FromProperties(IReadOnlyDictionary<string, string> properties)
    {
        LineReaderOptions options = new();
        foreach ((string key, string value) in properties)
        {
            options = key switch
            {
                "parse.key" => options with { ParseKey = ParseBoolean(key, value) },
                "key.separator" => options with { KeySeparator = NonEmpty(key, value) },
                "parse.headers" => options with { ParseHeaders = ParseBoolean(key, value) },
                "headers.delimiter" => options with { HeadersDelimiter = NonEmpty(key, value) },
                "headers.separator" => options with { HeadersSeparator = NonEmpty(key, value) },
                "headers.key.separator" => options with { HeadersKeySeparator = NonEmpty(key, value) },
                "null.marker" => options with { NullMarker = value.Length == 0 ? null : value },
                "ignore.error" => options with { IgnoreError = ParseBoolean(key, value) },
                _ => throw new ToolException($"Unknown producer property '{key}'. Known: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error."),
            };
        }

        if (options.HeadersSeparator.Contains(options.HeadersKeySeparator, StringComparison.Ordinal))
        {
            throw new ToolException("headers.separator and headers.key.separator must not overlap.");
        }

        return options;
    }

    internal static bool ParseBoolean(string key, string value) =>
        bool.TryParse(value, out bool result) ? result : throw new ToolException($"Property {key} must be true or false, not '{value}'.");

    private static string NonEmpty(string key, string value)
    {
        string unescaped = KeyValueArguments.Unescape(value);
        return unescaped.Length > 0 ? unescaped : throw new ToolException($"Property {key} must not be empty.");
    }
}
