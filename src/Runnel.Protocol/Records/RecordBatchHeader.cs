using System.Buffers.Binary;

namespace Runnel.Protocol.Records;

/// <summary>
/// The fixed 61-byte header of a RecordBatch (message format v2, "magic 2"), read from and patched
/// in raw batch bytes. All fields are big-endian. Offsets of each field are public constants so the
/// log can patch a stored batch in place without decoding it.
/// </summary>
public readonly struct RecordBatchHeader
{
    public const int BaseOffsetOffset = 0;
    public const int BatchLengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordCountOffset = 57;

    /// <summary>Size of the header; the records follow it.</summary>
    public const int Size = 61;

    /// <summary>Bytes before <c>batchLength</c>'s coverage starts (baseOffset + batchLength).</summary>
    public const int LogOverhead = 12;

    /// <summary>The only message format Runnel accepts (Kafka 4.0 dropped v0 and v1, KIP-724).</summary>
    public const byte CurrentMagic = 2;

    public const short CompressionMask = 0x07;
    public const short TimestampTypeFlag = 0x08;
    public const short TransactionalFlag = 0x10;
    public const short ControlFlag = 0x20;
    public const short DeleteHorizonFlag = 0x40;

    public long BaseOffset { get; init; }
    public int BatchLength { get; init; }
    public int PartitionLeaderEpoch { get; init; }
    public byte Magic { get; init; }
    public uint Crc { get; init; }
    public short Attributes { get; init; }
    public int LastOffsetDelta { get; init; }
    public long BaseTimestamp { get; init; }
    public long MaxTimestamp { get; init; }
    public long ProducerId { get; init; }
    public short ProducerEpoch { get; init; }
    public int BaseSequence { get; init; }
    public int RecordCount { get; init; }

    /// <summary>Total bytes of the batch on the wire and on disk.</summary>
    public int TotalSize => BatchLength + LogOverhead;

    public long LastOffset => BaseOffset + LastOffsetDelta;

    public CompressionType Compression => (CompressionType)(Attributes & CompressionMask);

    public bool IsLogAppendTime => (Attributes & TimestampTypeFlag) != 0;

    public bool IsTransactional => (Attributes & TransactionalFlag) != 0;

    public bool IsControl => (Attributes & ControlFlag) != 0;

    public bool HasDeleteHorizon => (Attributes & DeleteHorizonFlag) != 0;

    /// <summary>Reads a header from the first <see cref="Size"/> bytes. The caller checks the length.</summary>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> batch) => new()
    {
        BaseOffset = BinaryPrimitives.ReadInt64BigEndian(batch[BaseOffsetOffset..]),
        BatchLength = BinaryPrimitives.ReadInt32BigEndian(batch[BatchLengthOffset..]),
        PartitionLeaderEpoch = BinaryPrimitives.ReadInt32BigEndian(batch[PartitionLeaderEpochOffset..]),
        Magic = batch[MagicOffset],
        Crc = BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]),
        Attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]),
        LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(batch[LastOffsetDeltaOffset..]),
        BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[BaseTimestampOffset..]),
        MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[MaxTimestampOffset..]),
        ProducerId = BinaryPrimitives.ReadInt64BigEndian(batch[ProducerIdOffset..]),
        ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(batch[ProducerEpochOffset..]),
        BaseSequence = BinaryPrimitives.ReadInt32BigEndian(batch[BaseSequenceOffset..]),
        RecordCount = BinaryPrimitives.ReadInt32BigEndian(batch[RecordCountOffset..]),
    };

    /// <summary>Writes the base offset (not covered by the CRC).</summary>
    public static void PatchBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], baseOffset);

    /// <summary>Writes the partition leader epoch (not covered by the CRC).</summary>
    public static void PatchPartitionLeaderEpoch(Span<byte> batch, int leaderEpoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], leaderEpoch);

    /// <summary>
    /// Sets LogAppendTime: the timestamp-type bit and maxTimestamp, then recomputes the CRC,
    /// because both lie inside the CRC-covered range.
    /// </summary>
    public static void PatchLogAppendTime(Span<byte> batch, long appendTime)
    {
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], (short)(attributes | TimestampTypeFlag));
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], appendTime);
        UpdateCrc(batch);
    }

    /// <summary>
    /// Stamps the timestamp type and maxTimestamp the log stores, as Kafka's
    /// <c>DefaultRecordBatch.setMaxTimestamp</c>: when both already match nothing is written and the
    /// CRC is left alone; otherwise both are written and the CRC recomputed. Returns whether the
    /// batch changed.
    /// </summary>
    public static bool SetMaxTimestamp(Span<byte> batch, TimestampType timestampType, long maxTimestamp)
    {
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[AttributesOffset..]);
        var current = (attributes & TimestampTypeFlag) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
        if (current == timestampType && BinaryPrimitives.ReadInt64BigEndian(batch[MaxTimestampOffset..]) == maxTimestamp)
        {
            return false;
        }

        attributes = timestampType == TimestampType.LogAppendTime
            ? (short)(attributes | TimestampTypeFlag)
            : (short)(attributes & ~TimestampTypeFlag);
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], maxTimestamp);
        UpdateCrc(batch);
        return true;
    }

    /// <summary>True when the stored CRC matches the batch bytes (the caller checks the batch length).</summary>
    public static bool HasValidCrc(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadUInt32BigEndian(batch[CrcOffset..]) == ComputeCrc(batch);

    /// <summary>Computes the CRC-32C of the batch's covered range (attributes to end).</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[AttributesOffset..]);

    /// <summary>Recomputes and stores the CRC after a change inside the covered range.</summary>
    public static void UpdateCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], ComputeCrc(batch));
}
