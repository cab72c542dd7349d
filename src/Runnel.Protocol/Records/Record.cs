namespace Runnel.Protocol.Records;

/// <summary>
/// One record of a v2 batch, as spans into the (decompressed) record section: nothing is copied.
/// Absolute values need the batch header: offset = baseOffset + <see cref="OffsetDelta"/>, timestamp =
/// baseTimestamp + <see cref="TimestampDelta"/> (or the header's maxTimestamp under LogAppendTime).
/// </summary>
public readonly ref struct Record
{
    private readonly ReadOnlySpan<byte> _headerBytes;

    internal Record(
        int sizeInBytes,
        byte attributes,
        long timestampDelta,
        int offsetDelta,
        ReadOnlySpan<byte> key,
        bool hasKey,
        ReadOnlySpan<byte> value,
        bool hasValue,
        int headerCount,
        ReadOnlySpan<byte> headerBytes)
    {
        SizeInBytes = sizeInBytes;
        Attributes = attributes;
        TimestampDelta = timestampDelta;
        OffsetDelta = offsetDelta;
        Key = key;
        HasKey = hasKey;
        Value = value;
        HasValue = hasValue;
        HeaderCount = headerCount;
        _headerBytes = headerBytes;
    }

    /// <summary>Bytes the record occupies, its leading length varint included.</summary>
    public int SizeInBytes { get; }

    /// <summary>Record attributes; unused by Kafka (always 0 from clients) and not interpreted.</summary>
    public byte Attributes { get; }

    public long TimestampDelta { get; }

    public int OffsetDelta { get; }

    /// <summary>The key; empty when <see cref="HasKey"/> is false.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>False for a null key (length -1); an empty key is a key.</summary>
    public bool HasKey { get; }

    /// <summary>The value; empty when <see cref="HasValue"/> is false.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>False for a null value (a tombstone on compacted topics).</summary>
    public bool HasValue { get; }

    public int HeaderCount { get; }

    /// <summary>The headers, in wire order.</summary>
    public RecordHeaderEnumerator Headers => new(_headerBytes, HeaderCount);
}
