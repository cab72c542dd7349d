using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Broker.Coordination;

/// <summary>Called for each batch of a replayed log; returns how many records it applied.</summary>
internal delegate int BatchReplay(ReadOnlySpan<byte> batch, in RecordBatchHeader header);

/// <summary>
/// Replays an internal topic's partition (<c>__consumer_offsets</c>, <c>__transaction_state</c>) into
/// a coordinator's memory at startup: every batch from the log start to <c>end</c>, in order.
/// </summary>
internal static class InternalTopicReplay
{
    private const int ReadBytes = 1 << 20;

    /// <summary>Calls <paramref name="replay"/> for every batch below <paramref name="end"/>; returns the records applied.</summary>
    public static long Replay(PartitionLog log, long end, BatchReplay replay)
    {
        var offset = log.LogStartOffset;
        var applied = 0L;
        while (offset < end)
        {
            using var read = log.Read(offset, ReadBytes, end, minOneBatch: true);
            if (read.Error != LogError.None || read.Data.IsEmpty)
            {
                break;
            }

            var next = offset;
            var data = read.Data.Span;
            while (data.Length >= RecordBatchHeader.Size)
            {
                var header = RecordBatchHeader.Read(data);
                if (header.TotalSize > data.Length || header.TotalSize < RecordBatchHeader.Size)
                {
                    break;
                }

                applied += replay(data[..header.TotalSize], header);
                next = header.LastOffset + 1;
                data = data[header.TotalSize..];
            }

            if (next <= offset)
            {
                break;
            }

            offset = next;
        }

        return applied;
    }

    /// <summary>The records section of <paramref name="batch"/>, decompressed into <paramref name="decompressed"/> (dispose it) when the batch is compressed.</summary>
    public static ReadOnlySpan<byte> Records(ReadOnlySpan<byte> batch, in RecordBatchHeader header, out PooledBuffer? decompressed)
    {
        var section = batch[RecordBatchHeader.Size..];
        decompressed = null;
        if (header.Compression == CompressionType.None)
        {
            return section;
        }

        // The log only holds batches the broker validated, so their size was bounded when written.
        decompressed = CompressionCodec.Decompress(header.Compression, section, int.MaxValue);
        return decompressed.Span;
    }
}
