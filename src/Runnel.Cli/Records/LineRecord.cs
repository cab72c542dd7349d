namespace Runnel.Cli.Records;

/// <summary>One input line split into key, value and headers (null means a null key, value or header value).</summary>
internal sealed record LineRecord(string? Key, string? Value, IReadOnlyList<KeyValuePair<string, string?>> Headers);
