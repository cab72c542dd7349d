using Runnel.Protocol.Records;

namespace Runnel.Broker.Partitions;

/// <summary>
/// Finds the first record of a stored batch whose timestamp is at or above a target, for
/// ListOffsets by timestamp and MAX_TIMESTAMP. The log's time index narrows the search to one
/// batch; this decodes (and if needed decompresses) only that batch.
/// </summary>
public static class BatchRecordSearch
{
    /// <summary>Returns (offset, timestamp) of the first record with timestamp ≥ <paramref name="target"/>, or (-1, -1).</summary>
    public static (long Offset, long Timestamp) FindFirstAtOrAfter(ReadOnlySpan<byte> batch, long target, int maxDecompressedBytes)
    {
        if (batch.Length < RecordBatchHeader.Size)
        {
            return (-1, -1);
        }

        var header = RecordBatchHeader.Read(batch);
        if (header.IsLogAppendTime)
        {
            // With LogAppendTime every record carries the batch's max timestamp.
            return header.MaxTimestamp >= target ? (header.BaseOffset, header.MaxTimestamp) : (-1, -1);
        }

        var section = batch[RecordBatchHeader.Size..header.TotalSize];
        PooledBuffer? decompressed = null;
        try
        {
            if (header.Compression != CompressionType.None)
            {
                decompressed = CompressionCodec.Decompress(header.Compression, section, maxDecompressedBytes);
                section = decompressed.Span;
            }

            var reader = new RecordReader(section, header.RecordCount);
            while (reader.MoveNext())
            {
                var record = reader.Current;
                var timestamp = header.BaseTimestamp + record.TimestampDelta;
                if (timestamp >= target)
                {
                    return (header.BaseOffset + record.OffsetDelta, timestamp);
                }
            }

            return (-1, -1);
        }
        finally
        {
            decompressed?.Dispose();
        }
    }
}
