using System.Buffers;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Storage.Cleaner;

public sealed partial class LogCleaner
{
    /// <summary>
    /// Rewrites every inactive segment below <paramref name="mappedEnd"/>, group by group, reading
    /// them in offset order with one <see cref="CleanedTransactions"/> seeded with the aborted
    /// transactions that may have batches in them.
    /// </summary>
    private void CleanSegments(PartitionLog log, long mappedEnd, long nowMs, LogConfig config, Totals totals)
    {
        var segments = log.SnapshotForCleaning().Segments;
        var count = 0;
        while (count < segments.Count - 1 && segments[count].BaseOffset < mappedEnd)
        {
            count++;
        }

        if (count == 0)
        {
            return;
        }

        // Taken once per pass, not per batch: the append lock is not the cleaner's to contend for.
        var producerLastRecords = log.ProducerLastRecords();
        var transactions = new CleanedTransactions(log.AbortedTransactionsForCleaning(segments[0].BaseOffset, segments[count - 1].NextOffset));
        foreach (var group in GroupSegmentsBySize(segments.AsSpan()[..count], config.SegmentBytes, config.SegmentIndexBytes))
        {
            if (!CleanGroup(log, group, nowMs, config, totals, producerLastRecords, transactions))
            {
                // Abandoned part-way through: the transactions seen no longer follow the log (a marker
                // may be among the batches not read), so the later groups wait for the next pass.
                return;
            }
        }
    }

    /// <summary>
    /// Kafka's <c>cleanSegments</c>: writes the group's surviving batches into one <c>.cleaned</c>
    /// segment with the group's base offset, rebuilds its indexes as it appends, fsyncs it, and hands
    /// it to the log for the swap. An I/O failure takes the log offline. False when the group was
    /// abandoned before all of it was read.
    /// </summary>
    private bool CleanGroup(
        PartitionLog log, LogSegment[] group, long nowMs, LogConfig config, Totals totals,
        Dictionary<long, ProducerLastRecord> producerLastRecords, CleanedTransactions transactions)
    {
        var last = group[^1];
        if (last.Size == 0 && group.Length == 1)
        {
            return true;
        }

        _cancellation.ThrowIfCancellationRequested();
        var groupEnd = last.NextOffset;
        long read = totals.BytesRead, written = 0;
        LogSegment cleaned;
        try
        {
            cleaned = LogSegment.Create(_fs, log.Directory, group[0].BaseOffset, config, nowMs, LogSegment.CleanedSuffix);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.MarkOffline(ex);
            throw new LogOfflineException(log.TopicPartition, ex);
        }

        var output = new ArrayBufferWriter<byte>(Math.Max(4096, _options.IoBufferSize));
        var lastModified = 0L;
        AbortedTransaction[] retainedAborts;
        try
        {
            foreach (var segment in group)
            {
                lastModified = Math.Max(lastModified, segment.LastModifiedMs);
                var position = segment.BaseOffset;
                while (TryReadChunk(segment, position, totals, out var chunk))
                {
                    using (chunk)
                    {
                        var data = chunk.Span;
                        while (data.Length > 0)
                        {
                            var header = RecordBatchHeader.Read(data);
                            var batch = data[..header.TotalSize];
                            data = data[header.TotalSize..];
                            position = header.LastOffset + 1;
                            if (!RecordBatchHeader.HasValidCrc(batch))
                            {
                                ThrowCorruptBatch(segment, header.BaseOffset, "CRC-32C mismatch");
                            }

                            var action = Decide(transactions, header, batch, nowMs);
                            var mustRemain = header.LastOffset + 1 == groupEnd || IsProducersLast(header, producerLastRecords);
                            FilterBatch(segment, batch, header, action, mustRemain, nowMs, config, output, totals);
                        }
                    }

                    if (output.WrittenCount >= _options.IoBufferSize)
                    {
                        written += Append(cleaned, output, config, nowMs);
                    }
                }
            }

            written += Append(cleaned, output, config, nowMs);
            retainedAborts = transactions.TakeRetainedAborts();
            cleaned.TransactionIndex.AppendRange(retainedAborts);
            cleaned.OnBecomeInactive();
            cleaned.LastModifiedMs = lastModified;
            cleaned.FlushLog();
            cleaned.FlushIndexes();
        }
        catch (ObjectDisposedException) when (Array.Exists(group, static s => s.IsDeleted))
        {
            // Retention or truncation deleted a segment of the group while we read it.
            DiscardCleanedSegment(_fs, cleaned, LogSegment.CleanedSuffix);
            totals.Abandoned++;
            Log.AbandonedGroup(_logger, log.TopicPartition.Topic, log.TopicPartition.Partition, cleaned.BaseOffset);
            return false;
        }
        catch (Exception ex) when (ex is (IOException and not CorruptLogException) or UnauthorizedAccessException)
        {
            DiscardCleanedSegment(_fs, cleaned, LogSegment.CleanedSuffix);
            log.MarkOffline(ex);
            throw new LogOfflineException(log.TopicPartition, ex);
        }
        catch
        {
            DiscardCleanedSegment(_fs, cleaned, LogSegment.CleanedSuffix);
            throw;
        }

        totals.BytesWritten += written;
        if (log.ReplaceWithCleanedSegment(group, cleaned, retainedAborts))
        {
            totals.Groups++;
            Log.CleanedGroup(_logger, log.TopicPartition.Topic, log.TopicPartition.Partition, group.Length, cleaned.BaseOffset, totals.BytesRead - read, written);
        }
        else
        {
            totals.Abandoned++;
            Log.AbandonedGroup(_logger, log.TopicPartition.Topic, log.TopicPartition.Partition, cleaned.BaseOffset);
        }

        return true;
    }

    /// <summary>
    /// Kafka's <c>checkBatchRetention</c> without the batch-must-remain part: what to do with one
    /// batch, given what <paramref name="transactions"/> saw before it. An unneeded marker goes once
    /// the delete horizon stamped on it has passed.
    /// </summary>
    private static CleanerBatchAction Decide(CleanedTransactions transactions, in RecordBatchHeader header, ReadOnlySpan<byte> batch, long nowMs)
    {
        if (!header.IsControl)
        {
            return transactions.IsAborted(header) ? CleanerBatchAction.Discard : CleanerBatchAction.Filter;
        }

        if (!transactions.IsMarkerRemovable(header, batch))
        {
            return CleanerBatchAction.Keep;
        }

        return header.RecordCount == 0 || (header.HasDeleteHorizon && header.BaseTimestamp <= nowMs)
            ? CleanerBatchAction.Discard
            : CleanerBatchAction.KeepUntilDeleteHorizon;
    }

    /// <summary>
    /// Kafka's <c>isBatchLastRecordOfProducer</c>: the batch holding a producer's last data offset, or,
    /// when its current epoch has no data (its last batch was a marker), a marker of that epoch. Kept,
    /// emptied if need be, so the producer state rebuilt from the log still knows the producer's
    /// last sequence and epoch (fencing).
    /// </summary>
    private static bool IsProducersLast(in RecordBatchHeader header, Dictionary<long, ProducerLastRecord> producerLastRecords) =>
        header.ProducerId >= 0
        && producerLastRecords.TryGetValue(header.ProducerId, out var last)
        && (last.LastDataOffset >= 0
            ? last.LastDataOffset == header.LastOffset
            : header.IsControl && header.ProducerEpoch == last.Epoch);

    private long Append(LogSegment cleaned, ArrayBufferWriter<byte> output, LogConfig config, long nowMs)
    {
        var count = output.WrittenCount;
        if (count == 0)
        {
            return 0;
        }

        cleaned.Append(output.WrittenSpan, config.IndexIntervalBytes, nowMs);
        _options.Throttle?.OnBytes(count, _cancellation);
        output.ResetWrittenCount();
        return count;
    }
}
