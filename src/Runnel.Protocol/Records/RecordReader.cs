namespace Runnel.Protocol.Records;

/// <summary>
/// Enumerates the records of one batch's record section (the bytes after the 61-byte header,
/// decompressed if the batch is compressed). Strict, in the manner of Kafka's
/// <c>DefaultRecord.readFrom</c> and <c>DefaultRecordBatch.RecordIterator</c>: every length is checked
/// against the bytes left, each record's fields must add up to exactly its declared length, and the
/// section must hold exactly <c>recordCount</c> records with nothing after them.
/// </summary>
/// <remarks>
/// Errors are sticky values, not exceptions: <see cref="MoveNext"/> returns false and
/// <see cref="Status"/> says why (<see cref="RecordReadStatus.Done"/> for a clean end). A record is
/// fully validated, headers included, before it is returned, so its header enumeration cannot fail.
/// Allocation-free; <see cref="GetErrorMessage"/> allocates and is meant for the error path.
/// <code>
/// var reader = new RecordReader(section, header.RecordCount);
/// foreach (var record in reader) { ... }   // foreach copies the struct: keep a reference
/// </code>
/// Because <c>foreach</c> works on a copy, call <see cref="MoveNext"/> in a <c>while</c> loop when the
/// final <see cref="Status"/> matters (it always does for client input).
/// </remarks>
public ref struct RecordReader
{
    private readonly ReadOnlySpan<byte> _section;
    private readonly int _recordCount;
    private int _position;
    private int _recordsRead;
    private RecordReadStatus _status;
    private int _detailA;
    private int _detailB;
    private Record _current;

    public RecordReader(ReadOnlySpan<byte> section, int recordCount)
    {
        _section = section;
        _recordCount = recordCount;
        _position = 0;
        _recordsRead = 0;
        _status = recordCount < 0 ? RecordReadStatus.InvalidRecordCount : RecordReadStatus.Reading;
        _detailA = recordCount;
        _detailB = 0;
        _current = default;
    }

    /// <summary>The record returned by the last successful <see cref="MoveNext"/>.</summary>
    public readonly Record Current => _current;

    /// <summary><see cref="RecordReadStatus.Reading"/> until the end or the first error.</summary>
    public readonly RecordReadStatus Status => _status;

    /// <summary>Records returned so far; on error, the index of the record that failed.</summary>
    public readonly int RecordsRead => _recordsRead;

    /// <summary>Byte position in the section of the next record.</summary>
    public readonly int Position => _position;

    public readonly RecordReader GetEnumerator() => this;

    /// <summary>Reads the next record; false at the end (<see cref="Status"/> = Done) or on an error.</summary>
    public bool MoveNext()
    {
        if (_status != RecordReadStatus.Reading)
        {
            return false;
        }

        if (_recordsRead == _recordCount)
        {
            if (_position != _section.Length)
            {
                return Fail(RecordReadStatus.TrailingBytes, _section.Length - _position, 0);
            }

            _status = RecordReadStatus.Done;
            return false;
        }

        var remaining = _section[_position..];
        if (remaining.IsEmpty)
        {
            return Fail(RecordReadStatus.Truncated, _recordCount, _recordsRead);
        }

        if (!RecordVarint.TryReadVarint(remaining, out var bodyLength, out var prefix))
        {
            // Out of bytes inside the varint is truncation; a full-length bad varint is malformed.
            return remaining.Length < RecordVarint.MaxVarintLength
                ? Fail(RecordReadStatus.Truncated, _recordCount, _recordsRead)
                : Fail(RecordReadStatus.MalformedRecord, 0, 0);
        }

        if (bodyLength < 0 || bodyLength > remaining.Length - prefix)
        {
            return Fail(RecordReadStatus.InvalidRecordLength, bodyLength, remaining.Length - prefix);
        }

        var body = remaining.Slice(prefix, bodyLength);
        var status = ParseBody(body, prefix + bodyLength, out _current, out var consumed);
        if (status != RecordReadStatus.Reading)
        {
            return Fail(status, bodyLength, consumed);
        }

        _position += prefix + bodyLength;
        _recordsRead++;
        return true;
    }

    /// <summary>A Kafka-style description of the error (allocates); null while reading or when done.</summary>
    public readonly string? GetErrorMessage() => _status switch
    {
        RecordReadStatus.Reading or RecordReadStatus.Done => null,
        RecordReadStatus.InvalidRecordCount => $"Found invalid record count {_detailA} in magic v2 batch",
        RecordReadStatus.Truncated => "Incorrect declared batch size, premature EOF reached",
        RecordReadStatus.InvalidRecordLength =>
            $"Invalid record size: expected {_detailA} bytes in record payload, but instead the buffer has only {_detailB} remaining bytes.",
        RecordReadStatus.MalformedRecord => "Found invalid record structure",
        RecordReadStatus.InvalidFieldLength => "Found invalid record structure: key, value or header value length below -1",
        RecordReadStatus.InvalidHeaderCount => "Found invalid number of record headers",
        RecordReadStatus.InvalidHeaderKeyLength => "Invalid negative header key size",
        RecordReadStatus.RecordLengthMismatch =>
            $"Invalid record size: expected to read {_detailA} bytes in record payload, but instead read {_detailB}",
        RecordReadStatus.TrailingBytes => "Incorrect declared batch size, records still remaining in file",
        _ => _status.ToString(),
    };

    private bool Fail(RecordReadStatus status, int detailA, int detailB)
    {
        _status = status;
        _detailA = detailA;
        _detailB = detailB;
        _current = default;
        return false;
    }

    /// <summary>Parses one record body (everything after the length varint); Reading means success.</summary>
    private static RecordReadStatus ParseBody(ReadOnlySpan<byte> body, int sizeInBytes, out Record record, out int consumed)
    {
        record = default;
        consumed = 0;
        var position = 0;

        if (body.IsEmpty)
        {
            return RecordReadStatus.MalformedRecord;
        }

        var attributes = body[0];
        position = 1;

        if (!RecordVarint.TryReadVarlong(body[position..], out var timestampDelta, out var read))
        {
            return RecordReadStatus.MalformedRecord;
        }

        position += read;
        if (!RecordVarint.TryReadVarint(body[position..], out var offsetDelta, out read))
        {
            return RecordReadStatus.MalformedRecord;
        }

        position += read;
        var fieldStatus = ReadNullableBytes(body, ref position, out var key, out var hasKey);
        if (fieldStatus != RecordReadStatus.Reading)
        {
            return fieldStatus;
        }

        fieldStatus = ReadNullableBytes(body, ref position, out var value, out var hasValue);
        if (fieldStatus != RecordReadStatus.Reading)
        {
            return fieldStatus;
        }

        if (!RecordVarint.TryReadVarint(body[position..], out var headerCount, out read))
        {
            return RecordReadStatus.MalformedRecord;
        }

        position += read;

        // Each header takes at least two bytes (two one-byte varints), which bounds the count
        // before any loop runs on it (Kafka checks count against the remaining bytes as well).
        if (headerCount < 0 || headerCount > (body.Length - position) / 2)
        {
            return RecordReadStatus.InvalidHeaderCount;
        }

        var headersStart = position;
        for (var i = 0; i < headerCount; i++)
        {
            if (!RecordVarint.TryReadVarint(body[position..], out var keyLength, out read))
            {
                return RecordReadStatus.MalformedRecord;
            }

            position += read;
            if (keyLength < 0)
            {
                return RecordReadStatus.InvalidHeaderKeyLength;
            }

            if (keyLength > body.Length - position)
            {
                return RecordReadStatus.MalformedRecord;
            }

            position += keyLength;
            fieldStatus = ReadNullableBytes(body, ref position, out _, out _);
            if (fieldStatus != RecordReadStatus.Reading)
            {
                return fieldStatus;
            }
        }

        consumed = position;
        if (position != body.Length)
        {
            return RecordReadStatus.RecordLengthMismatch;
        }

        record = new Record(
            sizeInBytes,
            attributes,
            timestampDelta,
            offsetDelta,
            key,
            hasKey,
            value,
            hasValue,
            headerCount,
            body[headersStart..position]);
        return RecordReadStatus.Reading;
    }

    private static RecordReadStatus ReadNullableBytes(ReadOnlySpan<byte> body, scoped ref int position, out ReadOnlySpan<byte> bytes, out bool present)
    {
        bytes = default;
        present = false;
        if (!RecordVarint.TryReadVarint(body[position..], out var length, out var read))
        {
            return RecordReadStatus.MalformedRecord;
        }

        position += read;
        if (length == -1)
        {
            return RecordReadStatus.Reading;
        }

        if (length < -1)
        {
            return RecordReadStatus.InvalidFieldLength;
        }

        if (length > body.Length - position)
        {
            return RecordReadStatus.MalformedRecord;
        }

        bytes = body.Slice(position, length);
        position += length;
        present = true;
        return RecordReadStatus.Reading;
    }
}
