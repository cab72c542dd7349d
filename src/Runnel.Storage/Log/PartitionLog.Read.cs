namespace Runnel.Storage.Log;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Reads whole stored batches starting with the one that contains <paramref name="startOffset"/>
    /// (offset index lookup, then a scan of batch headers), from a single segment as Kafka does.
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

            try
            {
                for (var i = Math.Max(0, segments.Floor(startOffset)); i < segments.Count; i++)
                {
                    var segment = segments[i];
                    if (segment.BaseOffset >= limit)
                    {
                        break;
                    }

                    var status = segment.ReadBatches(startOffset, maxBytes, limit, minOneBatch, out var data);
                    if (status == LogSegment.ReadStatus.NotInSegment)
                    {
                        continue;
                    }

                    return new LogReadResult(LogError.None, data, logStartOffset, logEndOffset, highWatermark);
                }

                return new LogReadResult(LogError.None, null, logStartOffset, logEndOffset, highWatermark);
            }
            catch (ObjectDisposedException) when (attempt < 3 && Volatile.Read(ref _closed) != 2)
            {
                // A segment was deleted (retention, truncation) after we took the snapshot: retry with
                // a fresh one; the offset is then probably out of range.
            }
        }
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
