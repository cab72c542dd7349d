using Runnel.Cli.Kafka;

namespace Runnel.Cli.Records;

/// <summary>
/// What <c>runnel consume</c> prints per record, from <c>--property</c> values with the names and
/// defaults of Kafka's <c>DefaultMessageFormatter</c>: <c>print.timestamp</c>, <c>print.partition</c>,
/// <c>print.offset</c>, <c>print.headers</c>, <c>print.key</c> (all false), <c>print.value</c> (true),
/// <c>key.separator</c> (tab, between columns), <c>line.separator</c> (newline),
/// <c>headers.separator</c> (,), <c>headers.key.separator</c> (:), <c>null.literal</c> ("null").
/// </summary>
internal sealed record RecordFormatterOptions
{
    public bool PrintTimestamp { get; init; }

    public bool PrintPartition { get; init; }

    public bool PrintOffset { get; init; }

    public bool PrintHeaders { get; init; }

    public bool PrintKey { get; init; }

    public bool PrintValue { get; init; } = true;

    public string KeySeparator { get; init; } = "\t";

    public string LineSeparator { get; init; } = "\n";

    public string HeadersSeparator { get; init; } = ",";

    public string HeadersKeySeparator { get; init; } = ":";

    public string NullLiteral { get; init; } = "null";

    public static RecordFormatterOptions FromProperties(IReadOnlyDictionary<string, string> properties)
    {
        RecordFormatterOptions options = new();
        foreach ((string key, string value) in properties)
        {
            options = key switch
            {
                "print.timestamp" => options with { PrintTimestamp = LineReaderOptions.ParseBoolean(key, value) },
                "print.partition" => options with { PrintPartition = LineReaderOptions.ParseBoolean(key, value) },
                "print.offset" => options with { PrintOffset = LineReaderOptions.ParseBoolean(key, value) },
                "print.headers" => options with { PrintHeaders = LineReaderOptions.ParseBoolean(key, value) },
                "print.key" => options with { PrintKey = LineReaderOptions.ParseBoolean(key, value) },
                "print.value" => options with { PrintValue = LineReaderOptions.ParseBoolean(key, value) },
                "key.separator" => options with { KeySeparator = KeyValueArguments.Unescape(value) },
                "line.separator" => options with { LineSeparator = KeyValueArguments.Unescape(value) },
                "headers.separator" => options with { HeadersSeparator = KeyValueArguments.Unescape(value) },
                "headers.key.separator" => options with { HeadersKeySeparator = KeyValueArguments.Unescape(value) },
                "null.literal" => options with { NullLiteral = value },
                _ => throw new ToolException($"Unknown consumer property '{key}'. Known: print.timestamp, print.partition, print.offset, print.headers, print.key, print.value, key.separator, line.separator, headers.separator, headers.key.separator, null.literal."),
            };
        }

        return options;
    }
}
