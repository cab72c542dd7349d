using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Protocol.Records;
using Runnel.Storage.Checkpoints;
using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.Storage.Cleaner;

/// <summary>
/// Log compaction (Kafka's <c>LogCleaner</c> / <c>Cleaner</c>): keeps the latest record of every key
/// in a partition, drops older versions, records without a key, and tombstones once their delete
/// horizon has passed; drops aborted transactional data, and transaction markers once no data of
/// their transaction is left and their delete horizon has passed (<see cref="CleanedTransactions"/>).
/// Offsets are never renumbered; batch boundaries stay.
/// </summary>
/// <remarks>
/// <para>One <see cref="Clean(PartitionLog, DateTimeOffset, CancellationToken)"/> call: read the partition's cleaner
/// checkpoint, compute the cleanable range (<see cref="ComputeCleanableRange"/>), then run passes
/// until the range is clean. A pass builds the <see cref="OffsetMap"/> from the first dirty offset
/// forward until the map is full or the range ends (the mapped end), then rewrites every segment
/// below the mapped end, clean section included, in groups of consecutive segments that fit one
/// segment (<see cref="GroupSegmentsBySize"/>), each group into one <c>.cleaned</c> segment swapped in
/// by <see cref="PartitionLog"/> (crash-safe protocol in docs/formats/segment.md), its
/// <c>.txnindex</c> holding the aborted transactions whose markers it keeps. Each phase of a pass
/// has its own <see cref="CleanedTransactions"/>, seeded from the partition's aborted transactions,
/// so aborted data neither enters the map nor survives. Finally the checkpoint moves to the end of
/// the range.</para>
/// <para>Lifecycle and threads: one instance per cleaner thread (it owns the offset map, allocated
/// once); not thread-safe. It never holds the partition's append lock except inside the swap.
/// Appends, reads, flushes and retention run concurrently: the active segment and everything at or
/// above the last stable offset are never touched (an open transaction's batches wait until it is
/// decided), and a group changed by retention or truncation meanwhile is abandoned.</para>
/// <para>Differences from Kafka, deliberate: (1) the last batch of each group is always kept, emptied
/// to its header if none of its records survive, so a cleaned segment ends at the same offset as the
/// segments it replaces (recovery needs that to know which old segments a <c>.swap</c> covers, and the
/// log keeps its offsets); (2) the first uncleanable offset is always a segment's base offset
/// (of the first segment reaching the last stable offset; Kafka uses the last stable offset itself,
/// which may lie inside a segment); (3) a stored batch whose CRC fails stops the clean with
/// <see cref="CorruptLogException"/> rather than being rewritten with a fresh CRC.</para>
/// </remarks>
public sealed partial class LogCleaner
{
    private readonly CleanerOptions _options;
    private readonly IFileSystem _fs;
    private readonly ILogger _logger;
    private OffsetMap? _offsetMap;
    private CancellationToken _cancellation;
    private readonly CleanerCheckpoints _checkpoints;

    /// <summary>A cleaner with its settings; <paramref name="checkpoints"/> is shared with the other cleaners of the same log directories (null: this cleaner's own).</summary>
    public LogCleaner(CleanerOptions options, IFileSystem fs, ILoggerFactory? loggers = null, CleanerCheckpoints? checkpoints = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fs);
        _options = options;
        _fs = fs;
        _checkpoints = checkpoints ?? new CleanerCheckpoints(fs);
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<LogCleaner>();
        _ = OffsetMap.CapacityFor(options.DedupeBufferSize, options.DedupeBufferLoadFactor);
    }

    /// <summary>Keys one pass can map (slots × load factor).</summary>
    public int MapCapacity => OffsetMap.CapacityFor(_options.DedupeBufferSize, _options.DedupeBufferLoadFactor);

    /// <summary>Keys mapped by the last pass as a fraction of <see cref="MapCapacity"/> (Kafka's buffer utilization).</summary>
    public double LastMapUtilization => _offsetMap is null ? 0 : (double)_offsetMap.Count / _offsetMap.MaxEntries;

    /// <summary>The dedupe buffer, allocated at the first clean so a broker with no compacted logs never pays for it.</summary>
    private OffsetMap Map => _offsetMap ??= new OffsetMap(_options.DedupeBufferSize, _options.DedupeBufferLoadFactor);

    /// <summary>The cleaner checkpoint of the log directory holding <paramref name="log"/>.</summary>
    public CleanerOffsetCheckpoint CheckpointFor(PartitionLog log) => _checkpoints.For(log);

    /// <summary>
    /// Cleans <paramref name="log"/> from its checkpointed first dirty offset (the log start offset when
    /// there is none or the file is damaged) and writes the new checkpoint. Throws
    /// <see cref="LogOfflineException"/> if the log is or goes offline (an I/O failure takes it offline),
    /// <see cref="CorruptLogException"/> for a bad stored batch.
    /// </summary>
    public CleanerStats Clean(PartitionLog log, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var checkpoint = CheckpointFor(log);
        long? firstDirty;
        try
        {
            firstDirty = checkpoint.Read(log.TopicPartition);
        }
        catch (InvalidDataException ex)
        {
            Log.CheckpointUnreadable(_logger, checkpoint.FilePath, ex);
            firstDirty = null;
        }

        var stats = Clean(log, firstDirty, now, cancellationToken);
        if (stats.NewFirstDirtyOffset != firstDirty)
        {
            checkpoint.Update(log.TopicPartition, stats.NewFirstDirtyOffset);
        }

        return stats;
    }

    /// <summary>
    /// Cleans from <paramref name="firstDirtyOffset"/> (null: the log start offset) without touching the
    /// checkpoint file. Cancellation (or <see cref="PartitionLog.StopCleaningAsync"/>) stops it between
    /// two reads with <see cref="OperationCanceledException"/>; the group being written is discarded and
    /// the log is left as the swaps so far made it.
    /// </summary>
    public CleanerStats Clean(PartitionLog log, long? firstDirtyOffset, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, log.CleaningAborted);
        _cancellation = cancellation.Token;
        var nowMs = now.ToUnixTimeMilliseconds();
        var config = log.Config;
        var range = ComputeCleanableRange(log, firstDirtyOffset, now);
        var totals = new Totals();
        var firstDirty = range.FirstDirtyOffset;
        var passes = 0;
        while (firstDirty < range.FirstUncleanableOffset)
        {
            Map.Clear();
            var mappedEnd = BuildOffsetMap(log, firstDirty, range.FirstUncleanableOffset, totals);
            CleanSegments(log, mappedEnd, nowMs, config, totals);
            passes++;
            Log.PassDone(_logger, log.TopicPartition.Topic, log.TopicPartition.Partition, firstDirty, mappedEnd, Map.Count);
            firstDirty = mappedEnd;
        }

        return ToStats(totals, passes, range, Math.Max(firstDirty, range.FirstDirtyOffset));
    }

    private static CleanerStats ToStats(Totals totals, int passes, CleanableRange range, long newFirstDirtyOffset) =>
        new()
        {
            Passes = passes,
            FirstDirtyOffset = range.FirstDirtyOffset,
            FirstUncleanableOffset = range.FirstUncleanableOffset,
            NewFirstDirtyOffset = newFirstDirtyOffset,
            EarliestDeleteHorizonMs = totals.EarliestDeleteHorizonMs,
            BytesRead = totals.BytesRead,
            BytesWritten = totals.BytesWritten,
            RecordsRead = totals.RecordsRead,
            RecordsKept = totals.RecordsKept,
            RecordsDropped = totals.RecordsRead - totals.RecordsKept,
            SegmentsCleaned = totals.Groups,
            GroupsAbandoned = totals.Abandoned,
        };

    /// <summary>
    /// KIP-534's "clean now, a delete horizon has passed" for a log with nothing dirty: rewrites the
    /// clean section (the segments below the checkpointed first dirty offset) with an empty offset
    /// map, which drops exactly the tombstones and unneeded transaction markers whose horizon is at or
    /// before <paramref name="now"/> (keys there are already unique), and stamps a horizon on markers
    /// that became unneeded. The scheduler calls it when
    /// <see cref="CleanerStats.EarliestDeleteHorizonMs"/> of the last clean has passed.
    /// </summary>
    public CleanerStats RemoveExpiredTombstones(PartitionLog log, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, log.CleaningAborted);
        _cancellation = cancellation.Token;
        var checkpointed = _checkpoints.TryRead(log);
        var range = ComputeCleanableRange(log, checkpointed, now);
        var totals = new Totals();
        Map.Clear();
        var cleanEnd = Math.Min(range.FirstDirtyOffset, range.FirstUncleanableOffset);
        CleanSegments(log, cleanEnd, now.ToUnixTimeMilliseconds(), log.Config, totals);
        return ToStats(totals, passes: 1, range, range.FirstDirtyOffset);
    }

    /// <summary>
    /// Kafka's <c>cleanableOffsets</c>: the first dirty offset is the checkpoint, reset to the log start
    /// offset when missing or outside [log start, log end]; the first uncleanable offset is the base
    /// offset of the first segment at or after it that is active, reaches the last stable offset (so
    /// no open transaction is cleaned), or is younger than <c>min.compaction.lag.ms</c> (its largest
    /// timestamp is above now − lag).
    /// </summary>
    public static CleanableRange ComputeCleanableRange(PartitionLog log, long? firstDirtyOffset, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(log);
        var (segments, lastStableOffset, logStartOffset) = log.SnapshotForCleaning();
        var minLagMs = log.Config.MinCompactionLagMs;
        var nowMs = now.ToUnixTimeMilliseconds();
        var logEnd = segments.Active.NextOffset;
        var firstDirty = firstDirtyOffset is { } checkpointed && checkpointed >= logStartOffset && checkpointed <= logEnd
            ? checkpointed
            : logStartOffset;

        var firstUncleanable = segments.Active.BaseOffset;
        long cleanBytes = 0, cleanableBytes = 0;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            var segment = segments[i];
            if (segments[i + 1].BaseOffset <= firstDirty)
            {
                cleanBytes += segment.Size;
                continue;
            }

            if (segment.NextOffset > lastStableOffset || (minLagMs > 0 && segment.LargestTimestamp > nowMs - minLagMs))
            {
                firstUncleanable = segment.BaseOffset;
                break;
            }

            cleanableBytes += segment.Size;
        }

        return new CleanableRange(firstDirty, Math.Max(firstDirty, firstUncleanable), cleanBytes, firstUncleanable > firstDirty ? cleanableBytes : 0);
    }

    /// <summary>
    /// Kafka's <c>groupSegmentsBySize</c>: consecutive segments merged while the log bytes stay within
    /// <c>segment.bytes</c>, each index within <c>segment.index.bytes</c>, and every offset relative to
    /// the group's base fits an int32.
    /// </summary>
    internal static List<LogSegment[]> GroupSegmentsBySize(ReadOnlySpan<LogSegment> segments, int maxSize, int maxIndexSize)
    {
        var groups = new List<LogSegment[]>();
        var i = 0;
        while (i < segments.Length)
        {
            var first = segments[i];
            long logSize = first.Size, indexSize = first.OffsetIndex.SizeInBytes, timeIndexSize = first.TimeIndex.SizeInBytes;
            var end = i + 1;
            while (end < segments.Length)
            {
                var next = segments[end];
                if (logSize + next.Size > maxSize
                    || indexSize + next.OffsetIndex.SizeInBytes > maxIndexSize
                    || timeIndexSize + next.TimeIndex.SizeInBytes > maxIndexSize
                    || (next.Size > 0 && next.NextOffset - 1 - first.BaseOffset > int.MaxValue))
                {
                    break;
                }

                logSize += next.Size;
                indexSize += next.OffsetIndex.SizeInBytes;
                timeIndexSize += next.TimeIndex.SizeInBytes;
                end++;
            }

            groups.Add(segments[i..end].ToArray());
            i = end;
        }

        return groups;
    }

    /// <summary>Closes a cleaned segment that will not be used and deletes its files (named with <paramref name="suffix"/>).</summary>
    internal static void DiscardCleanedSegment(IFileSystem fs, LogSegment segment, string suffix)
    {
        segment.Dispose();
        foreach (var extension in LogSegment.Extensions)
        {
            try
            {
                fs.DeleteFile(LogSegment.FilePath(segment.Directory, segment.BaseOffset, extension) + suffix);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The next open of the log removes leftovers.
            }
        }
    }

    /// <summary>
    /// Kafka's <c>buildOffsetMap</c>: maps every keyed record from <paramref name="firstDirty"/> on,
    /// segment by segment below <paramref name="end"/>, until the map is full. Returns the mapped end:
    /// every record below it is in the map (or superseded in it), none at or above it. Records of
    /// aborted transactions are not mapped: an aborted later version of a key must not hide the
    /// committed one.
    /// </summary>
    private long BuildOffsetMap(PartitionLog log, long firstDirty, long end, Totals totals)
    {
        var segments = log.SnapshotForCleaning().Segments;
        var transactions = new CleanedTransactions(log.AbortedTransactionsForCleaning(firstDirty, end));
        for (var i = Math.Max(0, segments.Floor(firstDirty)); i < segments.Count - 1 && segments[i].BaseOffset < end; i++)
        {
            var segment = segments[i];
            var stoppedAt = MapSegment(segment, firstDirty, transactions, totals);
            if (stoppedAt >= 0)
            {
                return stoppedAt;
            }
        }

        return end;
    }

    /// <summary>Maps one segment; the offset of the first record that did not fit, or -1.</summary>
    private long MapSegment(LogSegment segment, long firstDirty, CleanedTransactions transactions, Totals totals)
    {
        var position = Math.Max(firstDirty, segment.BaseOffset);
        try
        {
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
                        if (header.IsControl)
                        {
                            // Markers are never mapped, but they end the transactions they close.
                            transactions.IsMarkerRemovable(header, batch);
                            continue;
                        }

                        if (transactions.IsAborted(header))
                        {
                            continue;
                        }

                        var stoppedAt = MapBatch(segment, batch, header, firstDirty);
                        if (stoppedAt >= 0)
                        {
                            return stoppedAt;
                        }
                    }
                }
            }
        }
        catch (ObjectDisposedException) when (segment.IsDeleted)
        {
            // Deleted by retention while we read it: its records are below the log start offset, so
            // what was mapped from it can only supersede records that are gone too.
        }

        return -1;
    }

    /// <summary>Puts the batch's keyed records at or above <paramref name="firstDirty"/> into the map; the offset of the first that did not fit, or -1.</summary>
    private long MapBatch(LogSegment segment, ReadOnlySpan<byte> batch, in RecordBatchHeader header, long firstDirty)
    {
        using var decompressed = Decompress(segment, batch, header);
        var reader = new RecordReader(decompressed is null ? batch[RecordBatchHeader.Size..] : decompressed.Span, header.RecordCount);
        while (reader.MoveNext())
        {
            var record = reader.Current;
            var offset = header.BaseOffset + record.OffsetDelta;
            if (record.HasKey && offset >= firstDirty && !Map.TryPut(record.Key, offset))
            {
                return offset;
            }
        }

        if (reader.Status != RecordReadStatus.Done)
        {
            ThrowCorruptBatch(segment, header.BaseOffset, reader.GetErrorMessage());
        }

        return -1;
    }

    private PooledBuffer? Decompress(LogSegment segment, ReadOnlySpan<byte> batch, in RecordBatchHeader header)
    {
        if (header.Compression == CompressionType.None)
        {
            return null;
        }

        try
        {
            return CompressionCodec.Decompress(header.Compression, batch[RecordBatchHeader.Size..], _options.MaxDecompressedBatchBytes);
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException)
        {
            ThrowCorruptBatch(segment, header.BaseOffset, ex.Message);
            return null;
        }
    }

    /// <summary>Whole batches of <paramref name="segment"/> from the one holding <paramref name="offset"/>, about <see cref="CleanerOptions.IoBufferSize"/> bytes at a time.</summary>
    private bool TryReadChunk(LogSegment segment, long offset, Totals totals, out PooledBuffer chunk)
    {
        _cancellation.ThrowIfCancellationRequested();
        var status = segment.ReadBatches(offset, _options.IoBufferSize, long.MaxValue, minOneBatch: true, out var data);
        if (status != LogSegment.ReadStatus.Data || data is null)
        {
            data?.Dispose();
            chunk = null!;
            return false;
        }

        totals.BytesRead += data.Length;
        try
        {
            _options.Throttle?.OnBytes(data.Length, _cancellation);
        }
        catch
        {
            data.Dispose();
            throw;
        }

        chunk = data;
        return true;
    }

    private static void ThrowCorruptBatch(LogSegment segment, long baseOffset, string? problem)
    {
        var position = segment.FindBatchPosition(baseOffset, segment.Size, out _);
        throw new CorruptLogException(segment.LogPath, position, $"a valid batch at offset {baseOffset} ({problem})");
    }

    /// <summary>Running totals of one <see cref="Clean(PartitionLog, long?, DateTimeOffset, CancellationToken)"/> call.</summary>
    private sealed class Totals
    {
        public long BytesRead;
        public long BytesWritten;
        public long RecordsRead;
        public long RecordsKept;
        public int Groups;
        public int Abandoned;
        public long EarliestDeleteHorizonMs = -1;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Debug,
            Message = "Cleaner pass over {Topic}-{Partition}: mapped offsets [{Offset}, {MappedEnd}), {KeyCount} keys")]
        public static partial void PassDone(ILogger logger, string topic, int partition, long offset, long mappedEnd, int keyCount);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Debug,
            Message = "Cleaned {SegmentCount} segments of {Topic}-{Partition} into the segment at offset {Offset}: {BytesRead} bytes read, {BytesWritten} bytes written")]
        public static partial void CleanedGroup(ILogger logger, string topic, int partition, int segmentCount, long offset, long bytesRead, long bytesWritten);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Information,
            Message = "Abandoned the cleaned segment at offset {Offset} of {Topic}-{Partition}: retention or truncation changed the segments it replaces")]
        public static partial void AbandonedGroup(ILogger logger, string topic, int partition, long offset);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Warning,
            Message = "Cleaner checkpoint {File} is unreadable; cleaning from the log start offset")]
        public static partial void CheckpointUnreadable(ILogger logger, string file, Exception exception);
    }
}
