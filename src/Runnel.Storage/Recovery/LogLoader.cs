using Microsoft.Extensions.Logging;
using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.Storage.Recovery;

/// <summary>
/// What <see cref="LogLoader.Load"/> found. <paramref name="AbortedTransactions"/> holds the
/// <c>.txnindex</c> entries of the segments below <paramref name="TransactionIndexValidBelow"/>, the
/// base offset of the first segment that was recovered or whose <c>.txnindex</c> is damaged (else
/// the log end offset): from there on the producer-state replay must rebuild them.
/// </summary>
internal sealed record LoadedLog(
    SegmentList Segments, long LogStartOffset, long LogEndOffset, long RecoveryPoint,
    List<AbortedTransaction> AbortedTransactions, long TransactionIndexValidBelow);

/// <summary>
/// Opens a partition directory at startup (Kafka's <c>LogLoader</c>): removes leftovers, opens every
/// segment, and after an unclean shutdown recovers each segment from the one containing the
/// recovery point: every batch is checked (length, magic, CRC-32C, increasing offsets), a torn or
/// corrupt tail is truncated after the last valid batch, later segments are deleted, and indexes are
/// rebuilt. Segments below the recovery point, and all segments after a clean shutdown, are trusted
/// but their indexes are still checked (size, order, bounds, last entry) and rebuilt when damaged.
/// </summary>
/// <remarks>
/// Invariant: batches below the recovery point were fsynced, so recovery never truncates below it
/// unless the bytes there fail their CRC (media corruption), which is logged at Error. After
/// recovery the recovered segments are fsynced and the recovery point becomes the log end offset.
/// Compaction's <c>.cleaned</c>/<c>.swap</c> files are resolved first (<see cref="CompleteInterruptedSwaps"/>).
/// Each trusted segment's <c>.txnindex</c> is read and checked; the entries of recovered segments,
/// and from a damaged <c>.txnindex</c> on, are left to the producer-state replay, which
/// <see cref="PartitionLog"/> runs next and which writes them again (docs/formats/txn-index.md).
/// </remarks>
internal static partial class LogLoader
{
    public static LoadedLog Load(
        TopicPartition topicPartition, string directory, LogConfig config, IFileSystem fs, long nowMs, ILogger logger,
        long recoveryPoint, long logStartOffset, bool hadCleanShutdown)
    {
        fs.CreateDirectory(directory);
        CompleteInterruptedSwaps(topicPartition, directory, fs, logger);
        var baseOffsets = new List<long>();
        foreach (var path in fs.ListFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(LogSegment.DeletedSuffix, StringComparison.Ordinal)
                || name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                Log.DeletedLeftoverFile(logger, topicPartition.Topic, topicPartition.Partition, name);
                fs.DeleteFile(path);
            }
            else if (LogSegment.TryParseBaseOffset(name, LogSegment.LogExtension, out var baseOffset))
            {
                baseOffsets.Add(baseOffset);
            }
        }

        baseOffsets.Sort();

        // Index files whose log is gone (a crash between deletions) are removed.
        foreach (var path in fs.ListFiles(directory))
        {
            var name = Path.GetFileName(path);
            if ((LogSegment.TryParseBaseOffset(name, LogSegment.IndexExtension, out var indexBase)
                    || LogSegment.TryParseBaseOffset(name, LogSegment.TimeIndexExtension, out indexBase)
                    || LogSegment.TryParseBaseOffset(name, LogSegment.TxnIndexExtension, out indexBase))
                && baseOffsets.BinarySearch(indexBase) < 0)
            {
                Log.DeletedLeftoverFile(logger, topicPartition.Topic, topicPartition.Partition, name);
                fs.DeleteFile(path);
            }
        }

        var segments = new List<LogSegment>(baseOffsets.Count);
        var recovered = new List<LogSegment>();
        var aborted = new List<AbortedTransaction>();
        var txnIndexValidBelow = long.MaxValue;
        try
        {
            // Recovery starts at the segment containing the recovery point (Kafka recovers whole segments).
            var recoverFrom = 0;
            for (var i = 0; i < baseOffsets.Count; i++)
            {
                if (baseOffsets[i] <= recoveryPoint)
                {
                    recoverFrom = i;
                }
            }

            for (var i = 0; i < baseOffsets.Count; i++)
            {
                var baseOffset = baseOffsets[i];
                if (segments.Count > 0 && segments[^1].NextOffset > baseOffset)
                {
                    throw new CorruptLogException(
                        LogSegment.FilePath(directory, baseOffset, LogSegment.LogExtension), 0,
                        $"a base offset at or above {segments[^1].NextOffset}, where the previous segment ends");
                }

                var segment = LogSegment.Open(fs, directory, baseOffset, config, nowMs, out var indexProblem);
                segments.Add(segment);
                var mustRecover = !hadCleanShutdown && i >= recoverFrom;
                if (mustRecover)
                {
                    Log.RecoveringSegment(logger, topicPartition.Topic, topicPartition.Partition, segment.BaseOffset, recoveryPoint);
                }
                else
                {
                    var problem = indexProblem is null ? segment.LoadTail(config, nowMs) : $"offset index: {indexProblem}";
                    if (problem is not null)
                    {
                        Log.RebuildingSegment(logger, topicPartition.Topic, topicPartition.Partition, segment.BaseOffset, problem);
                        mustRecover = true;
                    }
                }

                if (!mustRecover)
                {
                    // Once one segment's entries are rebuilt, every later segment's are too.
                    if (txnIndexValidBelow == long.MaxValue && segment.TransactionIndex.Load(segment.NextOffset, aborted) is { } txnProblem)
                    {
                        Log.RebuildingTransactionIndex(logger, topicPartition.Topic, topicPartition.Partition, segment.BaseOffset, txnProblem);
                        txnIndexValidBelow = segment.BaseOffset;
                    }

                    continue;
                }

                txnIndexValidBelow = Math.Min(txnIndexValidBelow, segment.BaseOffset);
                var result = segment.Recover(config, nowMs);
                recovered.Add(segment);
                if (result.Problem is null)
                {
                    continue;
                }

                var lostFlushed = segment.NextOffset < recoveryPoint;
                if (lostFlushed || !result.TornTail)
                {
                    Log.TruncatedCorruptTail(logger, topicPartition.Topic, topicPartition.Partition, segment.BaseOffset,
                        result.ValidBytes, result.TruncatedBytes, segment.NextOffset, result.Problem);
                }
                else
                {
                    Log.TruncatedTornTail(logger, topicPartition.Topic, topicPartition.Partition, segment.BaseOffset,
                        result.ValidBytes, result.TruncatedBytes, segment.NextOffset, result.Problem);
                }

                // Everything after the first invalid batch goes, later segments included (Kafka does the same).
                for (var j = i + 1; j < baseOffsets.Count; j++)
                {
                    Log.DeletedSegmentAfterTruncation(logger, topicPartition.Topic, topicPartition.Partition,
                        baseOffsets[j], segment.NextOffset);
                    foreach (var extension in LogSegment.Extensions)
                    {
                        fs.DeleteFile(LogSegment.FilePath(directory, baseOffsets[j], extension));
                    }
                }

                break;
            }

            if (segments.Count == 0)
            {
                segments.Add(LogSegment.Create(fs, directory, Math.Max(0, logStartOffset), config, nowMs));
                recovered.Add(segments[0]);
            }

            var logEndOffset = segments[^1].NextOffset;
            var start = Math.Max(logStartOffset, segments[0].BaseOffset);
            if (start > logEndOffset)
            {
                // Everything below the log start offset was deleted (DeleteRecords) and the tail above it
                // was lost: start again, empty, at the log start offset so offsets never go backwards.
                Log.LogStartAboveLogEnd(logger, topicPartition.Topic, topicPartition.Partition, start, logEndOffset);
                foreach (var segment in segments)
                {
                    segment.DeleteFiles();
                }

                segments.Clear();
                recovered.Clear();
                aborted.Clear();
                segments.Add(LogSegment.Create(fs, directory, start, config, nowMs));
                recovered.Add(segments[0]);
                logEndOffset = start;
            }

            if (recovered.Count > 0)
            {
                // Make what recovery kept (and the truncations) durable, so the next crash does not
                // repeat the work. Segments before the recovered ones were flushed before the crash,
                // so the whole log is now durable.
                foreach (var segment in recovered)
                {
                    segment.FlushLog();
                    segment.FlushIndexes();
                }

                fs.SyncDirectory(directory);
            }

            Log.Loaded(logger, topicPartition.Topic, topicPartition.Partition, segments.Count, start, logEndOffset, hadCleanShutdown, recovered.Count);
            return new LoadedLog(new SegmentList([.. segments]), start, logEndOffset, logEndOffset, aborted, Math.Min(txnIndexValidBelow, logEndOffset));
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Finishes or discards what a crash left of the cleaner's segment replacement (Kafka's
    /// <c>LogLoader.removeTempFilesAndCollectSwapFiles</c> and swap completion; protocol in
    /// docs/formats/segment.md). <c>*.cleaned</c> files are an unfinished cleaned segment: deleted,
    /// and so is any <c>.swap</c> at or above the lowest <c>.cleaned</c> base offset (its renames were
    /// not all done, so the old segments are intact). A <c>&lt;base&gt;.log.swap</c> is a finished
    /// cleaned segment whose rename to <c>.swap</c> was made durable: every other segment file with a
    /// base offset in [base, the swap's next offset) belongs to the segments it replaces and is
    /// deleted, then the swap files get their final names. <c>.swap</c> index files without a
    /// <c>.log.swap</c> are deleted (the segment rebuilds them). The directory is fsynced after.
    /// </summary>
    /// <remarks>
    /// A crash between the final renames of the cleaned segment's index files and of its log leaves
    /// final-named indexes that this deletes as if they were the replaced ones. The offset index is
    /// renamed first, so the cleaned segment then lacks it and is recovered, and a recovered
    /// segment's <c>.txnindex</c> entries are rebuilt by the producer-state replay.
    /// </remarks>
    private static void CompleteInterruptedSwaps(TopicPartition topicPartition, string directory, IFileSystem fs, ILogger logger)
    {
        var minCleaned = long.MaxValue;
        var swapLogs = new List<long>();
        var changed = false;
        foreach (var path in fs.ListFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(LogSegment.CleanedSuffix, StringComparison.Ordinal))
            {
                if (TryParseSegmentFile(name[..^LogSegment.CleanedSuffix.Length], out var cleanedBase, out _))
                {
                    minCleaned = Math.Min(minCleaned, cleanedBase);
                }

                Log.DeletedLeftoverFile(logger, topicPartition.Topic, topicPartition.Partition, name);
                fs.DeleteFile(path);
                changed = true;
            }
            else if (name.EndsWith(LogSegment.SwapSuffix, StringComparison.Ordinal)
                && LogSegment.TryParseBaseOffset(name[..^LogSegment.SwapSuffix.Length], LogSegment.LogExtension, out var swapBase))
            {
                swapLogs.Add(swapBase);
            }
        }

        swapLogs.Sort();
        var ranges = new List<(long Base, long End)>();
        foreach (var swapBase in swapLogs)
        {
            if (swapBase >= minCleaned)
            {
                continue;
            }

            var swapPath = LogSegment.FilePath(directory, swapBase, LogSegment.LogExtension) + LogSegment.SwapSuffix;
            long end;
            using (var file = fs.OpenFile(swapPath, FileMode.Open))
            using (var scanner = new BatchScanner(file, 0, file.Length, swapBase, swapBase, verifyCrc: true))
            {
                while (scanner.TryNext(out _))
                {
                }

                // The swap was fsynced before it was named .swap, so it is whole; a damaged one is
                // still the best copy (the segments it replaces may be half renamed) and the usual
                // segment recovery truncates it after an unclean shutdown.
                end = scanner.Position == 0 ? swapBase : scanner.NextOffset;
            }

            ranges.Add((swapBase, end));
        }

        foreach (var path in fs.ListFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(LogSegment.SwapSuffix, StringComparison.Ordinal))
            {
                var final = name[..^LogSegment.SwapSuffix.Length];
                if (!TryParseSegmentFile(final, out var swapBase, out _) || !ranges.Exists(r => r.Base == swapBase))
                {
                    Log.DeletedLeftoverFile(logger, topicPartition.Topic, topicPartition.Partition, name);
                    fs.DeleteFile(path);
                    changed = true;
                }

                continue;
            }

            if (TryParseSegmentFile(name, out var fileBase, out _) && ranges.Exists(r => fileBase >= r.Base && fileBase < Math.Max(r.End, r.Base + 1)))
            {
                Log.DeletedReplacedSegmentFile(logger, topicPartition.Topic, topicPartition.Partition, name);
                fs.DeleteFile(path);
                changed = true;
            }
        }

        foreach (var (swapBase, _) in ranges)
        {
            foreach (var extension in LogSegment.Extensions)
            {
                var final = LogSegment.FilePath(directory, swapBase, extension);
                if (fs.FileExists(final + LogSegment.SwapSuffix))
                {
                    fs.MoveFile(final + LogSegment.SwapSuffix, final, overwrite: true);
                }
            }

            Log.CompletedSwap(logger, topicPartition.Topic, topicPartition.Partition, swapBase);
            changed = true;
        }

        if (changed)
        {
            fs.SyncDirectory(directory);
        }
    }

    /// <summary>Parses a segment file name (<c>.log</c>, <c>.index</c>, <c>.timeindex</c> or <c>.txnindex</c>) with no further suffix.</summary>
    private static bool TryParseSegmentFile(string name, out long baseOffset, out string extension)
    {
        foreach (var candidate in LogSegment.Extensions)
        {
            if (LogSegment.TryParseBaseOffset(name, candidate, out baseOffset))
            {
                extension = candidate;
                return true;
            }
        }

        baseOffset = -1;
        extension = string.Empty;
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1110, Level = LogLevel.Warning,
            Message = "Rebuilding the aborted-transaction index of {Topic}-{Partition} from segment {Segment} on: {Reason}")]
        public static partial void RebuildingTransactionIndex(ILogger logger, string topic, int partition, long segment, string reason);

        [LoggerMessage(EventId = 1108, Level = LogLevel.Warning,
            Message = "Completed an interrupted cleaner swap of {Topic}-{Partition}: the cleaned segment at offset {Segment} replaces the segments it covers")]
        public static partial void CompletedSwap(ILogger logger, string topic, int partition, long segment);

        [LoggerMessage(EventId = 1109, Level = LogLevel.Information,
            Message = "Deleted {File} of {Topic}-{Partition}: a completed cleaner swap replaces it")]
        public static partial void DeletedReplacedSegmentFile(ILogger logger, string topic, int partition, string file);

        [LoggerMessage(EventId = 1100, Level = LogLevel.Information,
            Message = "Recovering the segment at base offset {Segment} of {Topic}-{Partition} after an unclean shutdown (recovery point {Offset})")]
        public static partial void RecoveringSegment(ILogger logger, string topic, int partition, long segment, long offset);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning,
            Message = "Truncated a torn tail of segment {Segment} of {Topic}-{Partition}: kept {ValidBytes} bytes, removed {TruncatedBytes} bytes; the log now ends at offset {Offset} ({Reason})")]
        public static partial void TruncatedTornTail(ILogger logger, string topic, int partition, long segment, long validBytes, long truncatedBytes, long offset, string reason);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Error,
            Message = "Corrupt data in segment {Segment} of {Topic}-{Partition}: kept {ValidBytes} bytes, removed {TruncatedBytes} bytes; the log now ends at offset {Offset} ({Reason})")]
        public static partial void TruncatedCorruptTail(ILogger logger, string topic, int partition, long segment, long validBytes, long truncatedBytes, long offset, string reason);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Warning,
            Message = "Deleted segment {Segment} of {Topic}-{Partition}: it follows a truncation at offset {Offset}")]
        public static partial void DeletedSegmentAfterTruncation(ILogger logger, string topic, int partition, long segment, long offset);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning,
            Message = "Rebuilding the indexes of segment {Segment} of {Topic}-{Partition}: {Reason}")]
        public static partial void RebuildingSegment(ILogger logger, string topic, int partition, long segment, string reason);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Information,
            Message = "Deleted leftover file {File} of {Topic}-{Partition}")]
        public static partial void DeletedLeftoverFile(ILogger logger, string topic, int partition, string file);

        [LoggerMessage(EventId = 1106, Level = LogLevel.Warning,
            Message = "Log start offset {Offset} of {Topic}-{Partition} is above the log end offset {LogEndOffset}; starting empty at the log start offset")]
        public static partial void LogStartAboveLogEnd(ILogger logger, string topic, int partition, long offset, long logEndOffset);

        [LoggerMessage(EventId = 1107, Level = LogLevel.Information,
            Message = "Loaded {Topic}-{Partition}: {SegmentCount} segments, offsets [{LogStartOffset}, {Offset}), clean shutdown {CleanShutdown}, {RecoveredCount} segments recovered")]
        public static partial void Loaded(ILogger logger, string topic, int partition, int segmentCount, long logStartOffset, long offset, bool cleanShutdown, int recoveredCount);
    }
}
