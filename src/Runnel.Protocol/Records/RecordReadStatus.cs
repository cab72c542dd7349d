namespace Runnel.Protocol.Records;

/// <summary>Where a <see cref="RecordReader"/> stands; anything past <see cref="Done"/> is a structural error.</summary>
public enum RecordReadStatus
{
    /// <summary>Records remain (or none was asked for yet).</summary>
    Reading = 0,

    /// <summary>Exactly the declared number of records was read and no bytes are left over.</summary>
    Done,

    /// <summary>The declared record count is negative.</summary>
    InvalidRecordCount,

    /// <summary>The section ended before the declared number of records (Kafka: premature EOF).</summary>
    Truncated,

    /// <summary>A record's length is negative or larger than the bytes left.</summary>
    InvalidRecordLength,

    /// <summary>A varint is overlong, or a field runs past the record's declared length.</summary>
    MalformedRecord,

    /// <summary>A key, value or header value length is below -1.</summary>
    InvalidFieldLength,

    /// <summary>A record's header count is negative or cannot fit in the record.</summary>
    InvalidHeaderCount,

    /// <summary>A header key length is negative (header keys cannot be null).</summary>
    InvalidHeaderKeyLength,

    /// <summary>The record's fields end before its declared length.</summary>
    RecordLengthMismatch,

    /// <summary>Bytes remain after the declared number of records (Kafka: records still remaining).</summary>
    TrailingBytes,
}
