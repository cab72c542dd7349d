namespace Runnel.Protocol.Records;

/// <summary>
/// One record header as it sits in the batch: a UTF-8 key (never null on the wire) and a value that
/// may be null. Spans point into the record section; they live as long as that buffer.
/// </summary>
public readonly ref struct RecordHeader
{
    internal RecordHeader(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool hasValue)
    {
        Key = key;
        Value = value;
        HasValue = hasValue;
    }

    /// <summary>The header key, UTF-8 bytes as sent (the broker does not decode them).</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The header value; empty when <see cref="HasValue"/> is false.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>False for a null value (length -1), true for any value including an empty one.</summary>
    public bool HasValue { get; }
}
