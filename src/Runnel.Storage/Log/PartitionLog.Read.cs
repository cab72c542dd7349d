using Runnel.Protocol.Records;

namespace Runnel.Storage.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Reads whole stored batches starting with the one that contains <paramref name="startOffset"/>
    /// (offset index lookup, then a scan of batch headers), from a single segment as Kafka does, unless
    /// that segment's batches hold no record (emptied by compaction): then the next segments follow.
    /// Stops before <paramref name="maxBytes"/> would be exceeded, except that with
    /// <paramref name="minOneBatch"/> the first batch is returned even if larger (KIP-74); never
    /// includes a batch whose base offset is at or after <paramref name="maxOffsetExclusive"/> (the
    /// broker passes the high watermark for consumers).
    /// </summary>
    /// <returns>
    /// <see cref="LogError.OffsetOutOfRange"/> when <paramref name="startOffset"/> is below the log
    /// start offset or above the log end offset; no records at the log end offset. The caller owns
    /// and disposes <see cref="LogReadResult.Records"/>.
    /// </returns>
    /// <remarks>Lock-free. Throws <see cref="CorruptLogException"/> if a stored batch header is invalid.</remarks>
    public LogReadResult Read(long startOffset, int maxBytes, long maxOffsetExclusive, bool minOneBatch)
    {
        for (var attempt = 0; ; attempt++)
        {
            ThrowIfUnusable(forAppend: false);

            // Order matters: the log end offset first, then the segments; every byte below that
            // offset was published before it.
            var logEndOffset = LogEndOffset;
            var highWatermark = HighWatermark;
            var segments = _segments;
            var logStartOffset = LogStartOffset;
            if (startOffset < logStartOffset || startOffset > logEndOffset)
            {
                return new LogReadResult(LogError.OffsetOutOfRange, null, logStartOffset, logEndOffset, highWatermark);
            }

            var limit = Math.Min(maxOffsetExclusive, logEndOffset);
            if (startOffset >= limit)
            {
                return new LogReadResult(LogError.None, null, logStartOffset, logEndOffset, highWatermark);
            }

            PooledBuffer? data = null;
            try
            {
                var from = startOffset;
                for (var i = Math.Max(0, segments.Floor(startOffset)); i < segments.Count; i++)
                {
                    var segment = segments[i];
                    if (segment.BaseOffset >= limit)
                    {
                        break;
                    }

                    // Until a batch with records is in hand, the first one is returned whatever its size
                    // (KIP-74), so a response never holds emptied batches alone.
                    var remaining = maxBytes - (data?.Length ?? 0);
                    var status = segment.ReadBatches(from, remaining, limit, minOneBatch && (data is null || !HasRecords(data.Span)), out var more);
                    if (status == LogSegment.ReadStatus.NotInSegment)
                    {
                        continue;
                    }

                    if (more is null)
                    {
                        break;
                    }

                    data = data is null ? more : Concatenate(data, more);

                    // Compaction can leave a segment holding only emptied batches. A response made of
                    // them alone carries no record, and librdkafka counts each such response as
                    // "message too large" (doubling its fetch size until it gives up), so the read
                    // goes on into the next segment. Otherwise one segment per read, as Kafka.
                    if (HasRecords(data.Span) || data.Length >= maxBytes)
                    {
                        break;
                    }

                    // Only here, off the common path: walking every header of a normal read would cost
                    // each fetch a pass over its batches.
                    var next = LastOffsetOf(data.Span) + 1;

                    // Record-less so far: read on from where the data ends, in this segment when its
                    // next batch did not fit (it is returned whole, as a first batch would be), else
                    // in the next segment.
                    from = next;
                    if (next < segment.NextOffset)
                    {
                        i--;
                    }
                }

                var result = new LogReadResult(LogError.None, data, logStartOffset, logEndOffset, highWatermark);
                data = null;
                return result;
            }
            catch (ObjectDisposedException) when (attempt < 3 && Volatile.Read(ref _closed) != 2)
            {
                // A segment was deleted (retention, truncation) after we took the snapshot: retry with
                // a fresh one; the offset is then probably out of range.
            }
            finally
            {
                data?.Dispose();
            }
        }
    }

    /// <summary>The last offset of the last whole batch in <paramref name="batches"/>, or -1 when there is none.</summary>
    internal static long LastOffsetOf(ReadOnlySpan<byte> batches)
    {
        var last = -1L;
        while (batches.Length >= RecordBatchHeader.Size)
        {
            var header = RecordBatchHeader.Read(batches);
            if (header.TotalSize > batches.Length)
            {
                break;
            }

            last = header.LastOffset;
            batches = batches[header.TotalSize..];
        }

        return last;
    }

    /// <summary>Whether any whole batch in <paramref name="batches"/> holds at least one record.</summary>
    private static bool HasRecords(ReadOnlySpan<byte> batches)
    {
        while (batches.Length >= RecordBatchHeader.Size)
        {
            var header = RecordBatchHeader.Read(batches);
            if (header.RecordCount > 0)
            {
                return true;
            }

            if (header.TotalSize > batches.Length)
            {
                break;
            }

            batches = batches[header.TotalSize..];
        }

        return false;
    }

    /// <summary><paramref name="first"/> followed by <paramref name="second"/> in one buffer; both are disposed.</summary>
    private static PooledBuffer Concatenate(PooledBuffer first, PooledBuffer second)
    {
        var combined = PooledBuffer.Rent(first.Length + second.Length);
        first.Span.CopyTo(combined.Span);
        second.Span.CopyTo(combined.Span[first.Length..]);
        first.Dispose();
        second.Dispose();
        return combined;
    }

    /// <summary>
    /// The first batch at or after the log start offset whose max timestamp is at or above
    /// <paramref name="timestamp"/> (ListOffsets by timestamp): the first segment whose largest
    /// timestamp reaches it, then that segment's time index (O(log n)) and a short scan. The broker
    /// decodes the batch to find the exact record. Null when no batch qualifies. The caller disposes the result.
    /// </summary>
    public LogBatchLookup? FindFirstBatchWithMaxTimestampAtLeast(long timestamp)
    {
        ThrowIfUnusable(forAppend: false);
        var segments = _segments;
        var logStartOffset = LogStartOffset;
        for (var i = Math.Max(0, segments.Floor(logStartOffset)); i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.MaxTimestamp < timestamp)
            {
                continue;
            }

            var found = segment.FindFirstBatchWithMaxTimestampAtLeast(timestamp, logStartOffset);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// The base offset and max timestamp of the first batch with the largest timestamp in the log
    /// (ListOffsets MAX_TIMESTAMP, KIP-734), or (-1, -1) when the log is empty. O(segments).
    /// </summary>
    public (long Offset, long Timestamp) GetMaxTimestampBatch()
    {
        ThrowIfUnusable(forAppend: false);
        lock (_lock)
        {
            long bestTimestamp = -1, bestOffset = -1;
            var logStartOffset = _logStartOffset;
            foreach (var segment in _segments.AsSpan())
            {
                if (segment.NextOffset <= logStartOffset)
                {
                    continue;
                }

                // Strictly greater: ties go to the earlier batch.
                if (segment.MaxTimestamp > bestTimestamp)
                {
                    bestTimestamp = segment.MaxTimestamp;
                    bestOffset = segment.OffsetOfMaxTimestamp;
                }
            }

            return (bestOffset, bestTimestamp);
        }
    }

    /// <summary>The batch named by <see cref="GetMaxTimestampBatch"/>, with its bytes; null when the log is empty. The caller disposes it.</summary>
    public LogBatchLookup? FindBatchWithMaxTimestamp()
    {
        var (offset, _) = GetMaxTimestampBatch();
        if (offset < 0)
        {
            return null;
        }

        var segments = _segments;
        var index = segments.Floor(offset);
        return index < 0 ? null : segments[index].ReadBatchWithBaseOffset(offset);
    }
}
