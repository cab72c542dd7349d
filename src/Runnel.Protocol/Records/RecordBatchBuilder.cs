using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Runnel.Protocol.Records;

/// <summary>
/// Builds one RecordBatch v2: records are encoded as they are appended, then <see cref="WriteTo"/>
/// compresses the record section (if asked), fills in the 61-byte header and the CRC-32C. For tests
/// now, and for the broker's own writes later (consumer offsets, transaction markers, compaction).
/// Not thread-safe; reusable after <see cref="Clear"/>. Not a hot-path type: it allocates.
/// </summary>
/// <remarks>
/// As Kafka's <c>MemoryRecordsBuilder</c>: baseTimestamp is the first record's timestamp and each record
/// stores its delta; maxTimestamp is the largest record timestamp under CreateTime, or
/// <see cref="LogAppendTimeMs"/> under LogAppendTime; lastOffsetDelta is the largest offset delta
/// written unless <see cref="LastOffsetDelta"/> overrides it (compaction keeps a batch's original
/// last offset when its last records are removed).
/// </remarks>
public sealed class RecordBatchBuilder
{
    private const int ControlKeyVersion = 0;
    private const int EndTransactionMarkerVersion = 0;

    private readonly ArrayBufferWriter<byte> _records = new();
    private int _count;
    private long _baseTimestamp = -1;
    private long _maxTimestamp = -1;
    private int _maxOffsetDelta = -1;

    /// <summary>Codec for the record section.</summary>
    public CompressionType Compression { get; set; }

    /// <summary>baseOffset; producers send 0, the log assigns the real one.</summary>
    public long BaseOffset { get; set; }

    public int PartitionLeaderEpoch { get; set; } = -1;

    /// <summary>-1 when not idempotent.</summary>
    public long ProducerId { get; set; } = -1;

    public short ProducerEpoch { get; set; } = -1;

    public int BaseSequence { get; set; } = -1;

    public bool IsTransactional { get; set; }

    public bool IsControl { get; set; }

    /// <summary>Attribute bit 3.</summary>
    public TimestampType TimestampType { get; set; }

    /// <summary>maxTimestamp under <see cref="TimestampType.LogAppendTime"/>.</summary>
    public long LogAppendTimeMs { get; set; } = -1;

    /// <summary>Overrides the header's lastOffsetDelta; by default the largest delta appended.</summary>
    public int? LastOffsetDelta { get; set; }

    /// <summary>Records appended so far.</summary>
    public int Count => _count;

    /// <summary>Appends a record at the next offset delta (0, 1, 2, ...). Null key or value is written as length -1.</summary>
    public RecordBatchBuilder Append(long timestamp, byte[]? key, byte[]? value, IReadOnlyList<RecordHeaderEntry>? headers = null) =>
        AppendWithOffsetDelta(_maxOffsetDelta + 1, timestamp, key, value, headers);

    /// <summary>Appends a record with an explicit offset delta (for batches with gaps, as compaction leaves).</summary>
    public RecordBatchBuilder AppendWithOffsetDelta(int offsetDelta, long timestamp, byte[]? key, byte[]? value, IReadOnlyList<RecordHeaderEntry>? headers = null)
    {
        if (_count == 0)
        {
            _baseTimestamp = timestamp;
        }

        WriteRecord(_records, offsetDelta, timestamp - _baseTimestamp, key, key is not null, value, value is not null, headers);
        _count++;
        _maxTimestamp = Math.Max(_maxTimestamp, timestamp);
        _maxOffsetDelta = Math.Max(_maxOffsetDelta, offsetDelta);
        return this;
    }

    /// <summary>
    /// Appends a transaction marker (COMMIT or ABORT) and marks the batch as a transactional control
    /// batch, as Kafka's <c>MemoryRecords.withEndTransactionMarker</c> writes it: key
    /// <c>[version int16 = 0][type int16]</c>, value <c>[version int16 = 0][coordinatorEpoch int32]</c>.
    /// </summary>
    public RecordBatchBuilder AppendEndTransactionMarker(ControlRecordType type, int coordinatorEpoch, long timestamp)
    {
        IsControl = true;
        IsTransactional = true;
        var key = new byte[4];
        BinaryPrimitives.WriteInt16BigEndian(key, ControlKeyVersion);
        BinaryPrimitives.WriteInt16BigEndian(key.AsSpan(2), (short)type);
        var value = new byte[6];
        BinaryPrimitives.WriteInt16BigEndian(value, EndTransactionMarkerVersion);
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(2), coordinatorEpoch);
        return Append(timestamp, key, value);
    }

    /// <summary>Forgets the records (settings stay), so the builder can make another batch.</summary>
    public void Clear()
    {
        _records.ResetWrittenCount();
        _count = 0;
        _baseTimestamp = -1;
        _maxTimestamp = -1;
        _maxOffsetDelta = -1;
    }

    /// <summary>Writes the finished batch to <paramref name="output"/> and returns its size in bytes.</summary>
    public int WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ReadOnlySpan<byte> payload = _records.WrittenSpan;
        ArrayBufferWriter<byte>? compressed = null;
        if (Compression != CompressionType.None)
        {
            compressed = new ArrayBufferWriter<byte>(Math.Max(256, payload.Length / 2));
            CompressionCodec.Compress(Compression, payload, compressed);
            payload = compressed.WrittenSpan;
        }

        var size = RecordBatchHeader.Size + payload.Length;
        var batch = output.GetSpan(size)[..size];
        short attributes = (short)((short)Compression & RecordBatchHeader.CompressionMask);
        if (TimestampType == TimestampType.LogAppendTime)
        {
            attributes |= RecordBatchHeader.TimestampTypeFlag;
        }

        if (IsTransactional)
        {
            attributes |= RecordBatchHeader.TransactionalFlag;
        }

        if (IsControl)
        {
            attributes |= RecordBatchHeader.ControlFlag;
        }

        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.BaseOffsetOffset..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..], size - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        batch[RecordBatchHeader.MagicOffset] = RecordBatchHeader.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..], LastOffsetDelta ?? _maxOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.BaseTimestampOffset..], _baseTimestamp);
        var maxTimestamp = TimestampType == TimestampType.LogAppendTime ? LogAppendTimeMs : _maxTimestamp;
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchHeader.RecordCountOffset..], _count);
        payload.CopyTo(batch[RecordBatchHeader.Size..]);
        RecordBatchHeader.UpdateCrc(batch);
        output.Advance(size);
        return size;
    }

    /// <summary>Returns the finished batch as a new array.</summary>
    public byte[] ToArray()
    {
        var writer = new ArrayBufferWriter<byte>(RecordBatchHeader.Size + _records.WrittenCount + 64);
        WriteTo(writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Encodes one record (length varint first) into <paramref name="output"/>. Public so code that
    /// rewrites batches (compaction, tests making malformed batches) encodes records the same way.
    /// </summary>
    public static void WriteRecord(
        IBufferWriter<byte> output,
        int offsetDelta,
        long timestampDelta,
        ReadOnlySpan<byte> key,
        bool hasKey,
        ReadOnlySpan<byte> value,
        bool hasValue,
        IReadOnlyList<RecordHeaderEntry>? headers)
    {
        ArgumentNullException.ThrowIfNull(output);
        var headerCount = headers?.Count ?? 0;
        var bodySize = 1
            + RecordVarint.SizeOfVarlong(timestampDelta)
            + RecordVarint.SizeOfVarint(offsetDelta)
            + SizeOfNullableBytes(key.Length, hasKey)
            + SizeOfNullableBytes(value.Length, hasValue)
            + RecordVarint.SizeOfVarint(headerCount);
        for (var i = 0; i < headerCount; i++)
        {
            var header = headers![i];
            ArgumentNullException.ThrowIfNull(header.Key);
            bodySize += SizeOfNullableBytes(Encoding.UTF8.GetByteCount(header.Key), hasBytes: true)
                + SizeOfNullableBytes(header.Value?.Length ?? 0, header.Value is not null);
        }

        var total = RecordVarint.SizeOfVarint(bodySize) + bodySize;
        var span = output.GetSpan(total);
        var position = WriteVarint(span, bodySize);
        span[position++] = 0; // record attributes: unused
        RecordVarint.TryWriteVarlong(span[position..], timestampDelta, out var written);
        position += written;
        position += WriteVarint(span[position..], offsetDelta);
        position += WriteNullableBytes(span[position..], key, hasKey);
        position += WriteNullableBytes(span[position..], value, hasValue);
        position += WriteVarint(span[position..], headerCount);
        for (var i = 0; i < headerCount; i++)
        {
            var header = headers![i];
            var keyLength = Encoding.UTF8.GetByteCount(header.Key);
            position += WriteVarint(span[position..], keyLength);
            position += Encoding.UTF8.GetBytes(header.Key, span[position..]);
            position += WriteNullableBytes(span[position..], header.Value, header.Value is not null);
        }

        output.Advance(position);
    }

    private static int SizeOfNullableBytes(int length, bool hasBytes) =>
        hasBytes ? RecordVarint.SizeOfVarint(length) + length : 1;

    private static int WriteVarint(Span<byte> span, int value)
    {
        RecordVarint.TryWriteVarint(span, value, out var written);
        return written;
    }

    private static int WriteNullableBytes(Span<byte> span, ReadOnlySpan<byte> bytes, bool hasBytes)
    {
        if (!hasBytes)
        {
            return WriteVarint(span, -1);
        }

        var position = WriteVarint(span, bytes.Length);
        bytes.CopyTo(span[position..]);
        return position + bytes.Length;
    }
}
