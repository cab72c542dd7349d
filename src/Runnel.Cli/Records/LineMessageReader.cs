namespace Runnel.Cli.Records;

/// <summary>
/// Splits console-producer input lines the way Kafka's <c>LineMessageReader</c> does: with
/// <c>parse.headers</c> the text before the first <c>headers.delimiter</c> is the headers
/// (<c>k1:v1,k2:v2</c>); with <c>parse.key</c> the text before the next <c>key.separator</c> is the
/// key; the rest is the value. A header without the key separator has a null value under
/// <c>ignore.error</c> and is an error otherwise.
/// </summary>
internal sealed class LineMessageReader(LineReaderOptions options)
{
    private static readonly IReadOnlyList<KeyValuePair<string, string?>> s_noHeaders = [];

    public LineReaderOptions Options { get; } = options;

    /// <summary>Splits <paramref name="line"/> (line numbers count from 1, for the error text).</summary>
    public bool TryParse(string line, long lineNumber, out LineRecord? record, out string? error)
    {
        record = null;
        if (!TrySplit(Options.ParseHeaders, line, 0, Options.HeadersDelimiter, "headers delimiter", lineNumber, out string? headersText, out error)
            || !TrySplit(Options.ParseKey, line, headersText is null ? 0 : headersText.Length + Options.HeadersDelimiter.Length, Options.KeySeparator, "key separator", lineNumber, out string? key, out error))
        {
            return false;
        }

        int valueStart = (headersText is null ? 0 : headersText.Length + Options.HeadersDelimiter.Length)
            + (key is null ? 0 : key.Length + Options.KeySeparator.Length);
        string value = line[valueStart..];

        IReadOnlyList<KeyValuePair<string, string?>> headers = s_noHeaders;
        if (headersText is not null && headersText != Options.NullMarker)
        {
            if (!TryParseHeaders(headersText, lineNumber, out headers, out error))
            {
                return false;
            }
        }

        record = new LineRecord(
            key is null || key == Options.NullMarker ? null : key,
            value == Options.NullMarker ? null : value,
            headers);
        return true;
    }

    private bool TrySplit(bool enabled, string line, int start, string separator, string separatorName, long lineNumber, out string? part, out string? error)
    {
        part = null;
        error = null;
        if (!enabled)
        {
            return true;
        }

        int index = line.IndexOf(separator, start, StringComparison.Ordinal);
        if (index >= 0)
        {
            part = line[start..index];
            return true;
        }

        if (Options.IgnoreError)
        {
            return true;
        }

        error = $"No {separatorName} found on line number {lineNumber}: '{line}'";
        return false;
    }

    private bool TryParseHeaders(string text, long lineNumber, out IReadOnlyList<KeyValuePair<string, string?>> headers, out string? error)
    {
        List<KeyValuePair<string, string?>> result = [];
        headers = result;
        error = null;
        foreach (string pair in text.Split(Options.HeadersSeparator))
        {
            int index = pair.IndexOf(Options.HeadersKeySeparator, StringComparison.Ordinal);
            if (index < 0)
            {
                if (!Options.IgnoreError)
                {
                    error = $"No header key separator found in pair '{pair}' on line number {lineNumber}";
                    return false;
                }

                result.Add(new(pair, null));
                continue;
            }

            string headerKey = pair[..index];
            if (headerKey == Options.NullMarker)
            {
                error = $"Header keys should not be equal to the null marker '{Options.NullMarker}' as they can't be null";
                return false;
            }

            string headerValue = pair[(index + Options.HeadersKeySeparator.Length)..];
            result.Add(new(headerKey, headerValue == Options.NullMarker ? null : headerValue));
        }

        return true;
    }
}
