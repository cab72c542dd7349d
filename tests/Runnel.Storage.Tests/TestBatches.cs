using System.Buffers.Binary;
using Runnel.Protocol.Records;

namespace Runnel.Storage.Tests;

/// <summary>
/// Builds RecordBatch v2 bytes for tests: the 61-byte header and a record section of simple
/// uncompressed records (null key, a value of the given size, no headers), with a correct CRC.
/// (A full RecordBatchBuilder lives in Runnel.Protocol; this keeps the storage tests independent.)
/// </summary>
internal static class TestBatches
{
    public static byte[] Create(int recordCount = 1, long timestamp = 1_000, int valueSize = 10, byte fill = 0xAB)
    {
        var records = new List<byte>();
        for (var i = 0; i < recordCount; i++)
        {
            var body = new List<byte> { 0 }; // attributes
            WriteVarLong(body, 0); // timestamp delta
            WriteVarLong(body, i); // offset delta
            WriteVarLong(body, -1); // key length: null
            WriteVarLong(body, valueSize);
            for (var b = 0; b < valueSize; b++)
            {
                body.Add((byte)(fill + i + b));
            }

            WriteVarLong(body, 0); // header count
            WriteVarLong(records, body.Count);
            records.AddRange(body);
        }

        var batch = new byte[RecordBatchHeader.Size + records.Count];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, 0);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.BatchLengthOffset..], batch.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.PartitionLeaderEpochOffset..], -1);
        span[RecordBatchHeader.MagicOffset] = RecordBatchHeader.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.AttributesOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.LastOffsetDeltaOffset..], recordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.BaseTimestampOffset..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.MaxTimestampOffset..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchHeader.ProducerIdOffset..], -1);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchHeader.ProducerEpochOffset..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.BaseSequenceOffset..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchHeader.RecordCountOffset..], recordCount);
        records.CopyTo(batch, RecordBatchHeader.Size);
        RecordBatchHeader.UpdateCrc(batch);
        return batch;
    }

    /// <summary>Splits stored bytes into batch headers (and checks each CRC).</summary>
    public static List<RecordBatchHeader> Headers(ReadOnlySpan<byte> data)
    {
        var headers = new List<RecordBatchHeader>();
        while (data.Length > 0)
        {
            var header = RecordBatchHeader.Read(data);
            Assert.Equal(header.Crc, RecordBatchHeader.ComputeCrc(data[..header.TotalSize]));
            headers.Add(header);
            data = data[header.TotalSize..];
        }

        return headers;
    }

    private static void WriteVarLong(List<byte> output, long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        while (zigzag >= 0x80)
        {
            output.Add((byte)(zigzag | 0x80));
            zigzag >>= 7;
        }

        output.Add((byte)zigzag);
    }
}
