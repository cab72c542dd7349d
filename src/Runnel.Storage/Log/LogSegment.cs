using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Runnel.Protocol.Records;
using Runnel.Storage.IO;
using Runnel.Storage.Recovery;

namespace Runnel.Storage.Log;

/// <summary>
/// One segment of a partition log: <c>&lt;baseOffset:D20&gt;.log</c> (RecordBatch v2 bytes exactly as
/// stored, no file header: see docs/formats/segment.md), its sparse <see cref="OffsetIndex"/>
/// (<c>.index</c>) and <see cref="TimeIndex"/> (<c>.timeindex</c>), and, once a transaction is aborted
/// in it, its <see cref="TransactionIndex"/> (<c>.txnindex</c>).
/// </summary>
/// <remarks>
/// Lifecycle: created empty by a roll (<see cref="Create"/>) or opened at startup (<see cref="Open"/>,
/// then <see cref="LoadTail"/> or <see cref="Recover"/>); active while it is the last segment; made
/// inactive by the next roll (<see cref="OnBecomeInactive"/>); finally closed, or renamed
/// <c>.deleted</c> and deleted after <c>file.delete.delay.ms</c>.
/// Concurrency: mutations (<see cref="Append"/>, truncation, recovery) happen under the owning
/// <see cref="PartitionLog"/>'s append lock; reads are lock-free and bounded by <see cref="Size"/>,
/// which is published (volatile) only after the bytes are written. Flushes are serialized by the
/// log's flush mutex.
/// </remarks>
internal sealed class LogSegment : IDisposable
{
    public const string LogExtension = ".log";
    public const string IndexExtension = ".index";
    public const string TimeIndexExtension = ".timeindex";
    public const string TxnIndexExtension = ".txnindex";
    public const string DeletedSuffix = ".deleted";

    /// <summary>Suffix of a segment the cleaner is still writing (docs/formats/segment.md, "Compaction files").</summary>
    public const string CleanedSuffix = ".cleaned";

    /// <summary>Suffix of a finished cleaned segment waiting to replace the segments it covers.</summary>
    public const string SwapSuffix = ".swap";

    /// <summary>
    /// Every file a segment may have, the log last: renames follow this order so a <c>.log</c> name
    /// marks a complete set. All but the <c>.txnindex</c> always exist.
    /// </summary>
    public static ReadOnlySpan<string> Extensions => s_extensions;

    private static readonly string[] s_extensions = [IndexExtension, TimeIndexExtension, TxnIndexExtension, LogExtension];

    /// <summary>Bytes of a batch header needed to walk batches: through lastOffsetDelta.</summary>
    private const int ScanHeaderSize = RecordBatchHeader.LastOffsetDeltaOffset + 4;

    /// <summary>
    /// Bytes read at a time when walking batch headers from an index entry: twice the default
    /// <c>index.interval.bytes</c> (4096), so the walk to any batch usually takes one read.
    /// </summary>
    private const int ScanBlockSize = 8192;

    private readonly IFileSystem _fs;
    private readonly IStorageFile _log;
    private OffsetIndex _offsetIndex;
    private TimeIndex? _timeIndex;
    private readonly TransactionIndex _txnIndex;
    private long _size;

    /// <summary>The file's length while appends prepare zeros ahead of the data (<c>preallocate</c>); else <see cref="_size"/>.</summary>
    private long _preparedEnd;
    private long _flushedSize;
    private bool _needsSync;
    private long _nextOffset;
    private long _maxTimestamp = -1;
    private long _offsetOfMaxTimestamp = -1;
    private long _bytesSinceLastIndexEntry;
    private long _rollingBasedTimestamp = -1;
    private long _lastModifiedMs;
    private int _deleted;
    private int _renamedForDeletion;

    private LogSegment(
        IFileSystem fs, string directory, long baseOffset, IStorageFile log, OffsetIndex offsetIndex, TimeIndex? timeIndex, TransactionIndex txnIndex,
        long nowMs, long rollJitterMs)
    {
        _fs = fs;
        Directory = directory;
        BaseOffset = baseOffset;
        _log = log;
        _offsetIndex = offsetIndex;
        _timeIndex = timeIndex;
        _txnIndex = txnIndex;
        _nextOffset = baseOffset;
        CreatedMs = nowMs;
        _lastModifiedMs = nowMs;
        RollJitterMs = rollJitterMs;
    }

    public long BaseOffset { get; }

    public string Directory { get; }

    public string LogPath => FilePath(Directory, BaseOffset, LogExtension);

    /// <summary>Visible bytes: every byte below this is a whole, written batch.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>The offset after the last batch (the base offset when empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>Largest batch max timestamp in the segment, or -1.</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>Base offset of the first batch that has <see cref="MaxTimestamp"/>, or -1.</summary>
    public long OffsetOfMaxTimestamp => Volatile.Read(ref _offsetOfMaxTimestamp);

    /// <summary>The first batch's max timestamp, or -1 (Kafka's <c>getFirstBatchTimestamp</c>, for <c>max.compaction.lag.ms</c>).</summary>
    public long FirstBatchTimestamp => Volatile.Read(ref _rollingBasedTimestamp);

    /// <summary>
    /// The timestamp retention compares with <c>retention.ms</c>: the max timestamp, or when the batches
    /// carry none (-1) the time of the last append (load time after a restart; Kafka uses the file's mtime).
    /// </summary>
    public long LargestTimestamp => MaxTimestamp >= 0 ? MaxTimestamp : Volatile.Read(ref _lastModifiedMs);

    public long CreatedMs { get; }

    public long RollJitterMs { get; }

    public bool IsDeleted => Volatile.Read(ref _deleted) != 0;

    public bool IsOffsetIndexFull => _offsetIndex.IsFull;

    public bool IsTimeIndexFull => TimeIndex.IsFull;

    internal OffsetIndex OffsetIndex => _offsetIndex;

    /// <summary>Loaded by <see cref="LoadTail"/> or <see cref="Recover"/> (it is checked against the segment's next offset).</summary>
    internal TimeIndex TimeIndex => _timeIndex ?? throw new InvalidOperationException($"Segment {this} is not loaded.");

    /// <summary>The aborted transactions whose markers this segment holds (the file; the partition keeps the entries in memory).</summary>
    internal TransactionIndex TransactionIndex => _txnIndex;

    /// <summary>True when bytes were written (or truncated) since the last <see cref="FlushLog"/>.</summary>
    public bool HasUnflushedData => Size > Volatile.Read(ref _flushedSize) || _needsSync;

    public static string FileName(long baseOffset, string extension) =>
        baseOffset.ToString("D20", CultureInfo.InvariantCulture) + extension;

    public static string FilePath(string directory, long baseOffset, string extension) =>
        Path.Combine(directory, FileName(baseOffset, extension));

    /// <summary>Parses <c>00000000000000000042.log</c> → 42.</summary>
    public static bool TryParseBaseOffset(string fileName, string extension, out long baseOffset)
    {
        baseOffset = -1;
        if (!fileName.EndsWith(extension, StringComparison.Ordinal))
        {
            return false;
        }

        var digits = fileName.AsSpan(0, fileName.Length - extension.Length);
        return digits.Length == 20 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    /// <summary>
    /// Creates the three files of a new, empty segment (replacing leftovers with the same name; the
    /// <c>.txnindex</c> comes with the first abort). With <paramref name="fileSuffix"/> (the cleaner's
    /// <see cref="CleanedSuffix"/>) every file name gets that suffix; <see cref="RenameFiles"/> later
    /// gives them their final names.
    /// </summary>
    public static LogSegment Create(IFileSystem fs, string directory, long baseOffset, LogConfig config, long nowMs, string fileSuffix = "")
    {
        var jitter = config.SegmentJitterMs > 0 ? Random.Shared.NextInt64(config.SegmentJitterMs) : 0;
        var log = fs.OpenFile(FilePath(directory, baseOffset, LogExtension) + fileSuffix, FileMode.Create);
        OffsetIndex? offsetIndex = null;
        TimeIndex? timeIndex = null;
        try
        {
            offsetIndex = OffsetIndex.Create(fs, FilePath(directory, baseOffset, IndexExtension) + fileSuffix, baseOffset, OffsetIndex.MaxEntriesFor(config.SegmentIndexBytes));
            timeIndex = TimeIndex.Create(fs, FilePath(directory, baseOffset, TimeIndexExtension) + fileSuffix, baseOffset, TimeIndex.MaxEntriesFor(config.SegmentIndexBytes));
            var txnIndex = TransactionIndex.CreateEmpty(fs, FilePath(directory, baseOffset, TxnIndexExtension) + fileSuffix, baseOffset);
            return new LogSegment(fs, directory, baseOffset, log, offsetIndex, timeIndex, txnIndex, nowMs, jitter);
        }
        catch
        {
            timeIndex?.Dispose();
            offsetIndex?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing segment's log and tries to load its offset index. The time index is loaded
    /// by <see cref="LoadTail"/> (it is checked against the segment's next offset); the
    /// <c>.txnindex</c>, if any, is opened but read later (<see cref="TransactionIndex.Load"/>). On
    /// return the segment's in-memory state is not yet valid: call <see cref="LoadTail"/> or <see cref="Recover"/>.
    /// </summary>
    public static LogSegment Open(IFileSystem fs, string directory, long baseOffset, LogConfig config, long nowMs, out string? indexProblem)
    {
        var log = fs.OpenFile(FilePath(directory, baseOffset, LogExtension), FileMode.Open);
        OffsetIndex? offsetIndex = null;
        try
        {
            var maxEntries = OffsetIndex.MaxEntriesFor(config.SegmentIndexBytes);
            var indexPath = FilePath(directory, baseOffset, IndexExtension);
            offsetIndex = OffsetIndex.TryLoad(fs, indexPath, baseOffset, maxEntries, log.Length, out indexProblem)
                ?? OffsetIndex.Create(fs, indexPath, baseOffset, maxEntries);
            var txnIndex = TransactionIndex.Open(fs, FilePath(directory, baseOffset, TxnIndexExtension), baseOffset);
            return new LogSegment(fs, directory, baseOffset, log, offsetIndex, null, txnIndex, nowMs, 0);
        }
        catch
        {
            offsetIndex?.Dispose();
            log.Dispose();
            throw;
        }
    }

    private void ReplaceTimeIndex(TimeIndex index)
    {
        var old = _timeIndex;
        _timeIndex = index;
        old?.Dispose();
    }

    /// <summary>
    /// Completes loading after a clean shutdown (or for a segment below the recovery point): trusts the
    /// indexes up to their last entry, scans (with CRCs) only the batches after the last offset-index
    /// entry, and loads the time index. Returns null, or why the segment must be recovered instead.
    /// </summary>
    public string? LoadTail(LogConfig config, long nowMs)
    {
        var fileLength = _log.Length;
        var (entryOffset, entryPosition) = _offsetIndex.LastEntry is { } last
            ? (BaseOffset + last.RelativeOffset, (long)last.Position)
            : (BaseOffset, 0L);
        long tailMax = -1, tailMaxOffset = -1;
        using (var scanner = new BatchScanner(_log, entryPosition, fileLength, BaseOffset, entryOffset, verifyCrc: true))
        {
            var first = true;
            while (scanner.TryNext(out var batch))
            {
                if (first && _offsetIndex.Count > 0 && batch.BaseOffset != entryOffset)
                {
                    return $"the last offset index entry names offset {entryOffset} but the batch at position {entryPosition} starts at {batch.BaseOffset}";
                }

                first = false;
                if (batch.MaxTimestamp > tailMax)
                {
                    tailMax = batch.MaxTimestamp;
                    tailMaxOffset = batch.BaseOffset;
                }
            }

            if (scanner.Problem is not null)
            {
                return $"invalid batch at position {scanner.Position}: {scanner.Problem}";
            }

            if (first && _offsetIndex.Count > 0)
            {
                return $"the last offset index entry points at position {entryPosition}, where no batch starts";
            }

            _nextOffset = first && _offsetIndex.Count == 0 ? BaseOffset : scanner.NextOffset;
        }

        var timeIndex = TimeIndex.TryLoad(_fs, FilePath(Directory, BaseOffset, TimeIndexExtension), BaseOffset,
            TimeIndex.MaxEntriesFor(config.SegmentIndexBytes), _nextOffset, out var timeProblem);
        if (timeIndex is null)
        {
            return $"time index: {timeProblem}";
        }

        ReplaceTimeIndex(timeIndex);
        _maxTimestamp = -1;
        _offsetOfMaxTimestamp = -1;
        if (timeIndex.LastEntry is { } lastTime)
        {
            _maxTimestamp = lastTime.Timestamp;
            _offsetOfMaxTimestamp = BaseOffset + lastTime.RelativeOffset;
        }

        if (tailMax > _maxTimestamp)
        {
            _maxTimestamp = tailMax;
            _offsetOfMaxTimestamp = tailMaxOffset;
        }

        _size = fileLength;
        _preparedEnd = fileLength;
        _flushedSize = fileLength;
        _bytesSinceLastIndexEntry = fileLength - entryPosition;
        _rollingBasedTimestamp = ReadFirstBatchMaxTimestamp();
        _lastModifiedMs = nowMs;
        return null;
    }

    /// <summary>Outcome of <see cref="Recover"/>.</summary>
    public readonly record struct RecoveryResult(long ValidBytes, long TruncatedBytes, string? Problem, bool TornTail);

    /// <summary>
    /// Scans every batch with full checks, truncates the file after the last valid batch, and rebuilds
    /// both indexes from the batches found. Leaves the data unflushed (the caller fsyncs).
    /// </summary>
    public RecoveryResult Recover(LogConfig config, long nowMs)
    {
        var fileLength = _log.Length;
        var offsetEntries = new List<OffsetIndexEntry>();
        var timeEntries = new List<TimeIndexEntry>();
        var maxOffsetEntries = OffsetIndex.MaxEntriesFor(config.SegmentIndexBytes);
        var maxTimeEntries = TimeIndex.MaxEntriesFor(config.SegmentIndexBytes);
        long maxTimestamp = -1, offsetOfMax = -1, bytesSince = 0, rolling = -1;
        long validEnd;
        string? problem;
        bool torn;
        long nextOffset;
        using (var scanner = new BatchScanner(_log, 0, fileLength, BaseOffset, BaseOffset, verifyCrc: true))
        {
            while (scanner.TryNext(out var batch))
            {
                if (batch.Position == 0)
                {
                    rolling = batch.MaxTimestamp;
                }

                if (batch.MaxTimestamp > maxTimestamp)
                {
                    maxTimestamp = batch.MaxTimestamp;
                    offsetOfMax = batch.BaseOffset;
                }

                if (bytesSince > config.IndexIntervalBytes)
                {
                    if (offsetEntries.Count < maxOffsetEntries)
                    {
                        offsetEntries.Add(new OffsetIndexEntry((int)(batch.BaseOffset - BaseOffset), (int)batch.Position));
                    }

                    AddTimeEntry(timeEntries, maxTimestamp, offsetOfMax, maxTimeEntries);
                    bytesSince = 0;
                }

                bytesSince += batch.Size;
            }

            validEnd = scanner.Position;
            problem = scanner.Problem;
            torn = scanner.IsTornTail;
            nextOffset = validEnd == 0 ? BaseOffset : scanner.NextOffset;
        }

        if (validEnd < fileLength)
        {
            _log.SetLength(validEnd);
        }

        // The final entry Kafka writes when a segment becomes inactive, so the largest timestamp
        // survives a restart without a scan.
        AddTimeEntry(timeEntries, maxTimestamp, offsetOfMax, int.MaxValue);
        _offsetIndex.ReplaceAll(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(offsetEntries));
        if (_timeIndex is null)
        {
            ReplaceTimeIndex(TimeIndex.Create(_fs, FilePath(Directory, BaseOffset, TimeIndexExtension), BaseOffset, maxTimeEntries));
        }

        _timeIndex!.ReplaceAll(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(timeEntries));

        _size = validEnd;
        _preparedEnd = validEnd;
        _flushedSize = 0;
        _needsSync = true;
        _nextOffset = nextOffset;
        _maxTimestamp = maxTimestamp;
        _offsetOfMaxTimestamp = offsetOfMax;
        _bytesSinceLastIndexEntry = bytesSince;
        _rollingBasedTimestamp = rolling;
        _lastModifiedMs = nowMs;
        return new RecoveryResult(validEnd, fileLength - validEnd, problem, torn);
    }

    private void AddTimeEntry(List<TimeIndexEntry> entries, long timestamp, long offset, int maxEntries)
    {
        if (timestamp < 0 || entries.Count >= maxEntries)
        {
            return;
        }

        if (entries.Count > 0 && (timestamp <= entries[^1].Timestamp))
        {
            return;
        }

        entries.Add(new TimeIndexEntry(timestamp, (int)(offset - BaseOffset)));
    }

    private long ReadFirstBatchMaxTimestamp()
    {
        if (_size < RecordBatchHeader.Size)
        {
            return -1;
        }

        Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
        _log.ReadExactly(header, 0);
        return BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchHeader.MaxTimestampOffset..]);
    }

    /// <summary>
    /// Kafka's <c>LogSegment.shouldRoll</c>: roll before an append of <paramref name="appendBytes"/>
    /// when it would not fit in <c>segment.bytes</c>, an index is full, the offsets would not fit a
    /// relative int32, or <c>segment.ms</c> (minus jitter) has passed. Time is measured between the
    /// first batch's timestamp and the new batches' (KIP-33), or from creation when there is none.
    /// An empty segment never rolls.
    /// </summary>
    public bool ShouldRoll(int appendBytes, long appendMaxTimestamp, long appendLastOffset, long nowMs, LogConfig config)
    {
        var size = Size;
        if (size == 0)
        {
            return false;
        }

        if (size + appendBytes > config.SegmentBytes || _offsetIndex.IsFull || TimeIndex.IsFull)
        {
            return true;
        }

        if (appendLastOffset - BaseOffset > int.MaxValue)
        {
            return true;
        }

        var waited = _rollingBasedTimestamp >= 0 ? appendMaxTimestamp - _rollingBasedTimestamp : nowMs - CreatedMs;
        return waited > MaxSegmentMs(config) - RollJitterMs;
    }

    /// <summary>Kafka's <c>LogConfig.maxSegmentMs</c>: a compacted log also rolls by <c>max.compaction.lag.ms</c>, so the active segment cannot hold dirty records past it.</summary>
    private static long MaxSegmentMs(LogConfig config) =>
        config.Compact && config.MaxCompactionLagMs > 0 ? Math.Min(config.SegmentMs, config.MaxCompactionLagMs) : config.SegmentMs;

    /// <summary>
    /// Writes <paramref name="batches"/> (offsets already assigned) at the end of the file, then
    /// publishes the new size and next offset and adds index entries every
    /// <paramref name="indexIntervalBytes"/>. With <paramref name="preallocateUpTo"/> above zero,
    /// first keeps zeros written ahead of the data (<see cref="PrepareAhead"/>). Caller holds the
    /// append lock. Throws on I/O failure.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batches, int indexIntervalBytes, long nowMs, long preallocateUpTo = 0)
    {
        var start = _size;
        var end = start + batches.Length;
        if (preallocateUpTo > 0)
        {
            PrepareAhead(end, preallocateUpTo);
        }

        _log.Write(batches, start);
        _preparedEnd = Math.Max(_preparedEnd, end);

        long maxTimestamp = _maxTimestamp, offsetOfMax = _offsetOfMaxTimestamp, lastOffset = _nextOffset - 1;
        var position = 0;
        while (position < batches.Length)
        {
            var batch = batches[position..];
            var baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
            var total = BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.BatchLengthOffset..]) + RecordBatchHeader.LogOverhead;
            var batchMax = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..]);
            lastOffset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchHeader.LastOffsetDeltaOffset..]);
            if (start + position == 0)
            {
                _rollingBasedTimestamp = batchMax;
            }

            if (batchMax > maxTimestamp)
            {
                maxTimestamp = batchMax;
                offsetOfMax = baseOffset;
            }

            // An entry may become visible before the size below: readers only look up offsets below
            // the log end offset they read, whose bytes were published before it, so they never
            // follow an entry past the size they see.
            if (_bytesSinceLastIndexEntry > indexIntervalBytes)
            {
                if (!_offsetIndex.IsFull)
                {
                    _offsetIndex.Append(baseOffset, (int)(start + position));
                }

                TimeIndex.MaybeAppend(maxTimestamp, offsetOfMax);
                _bytesSinceLastIndexEntry = 0;
            }

            _bytesSinceLastIndexEntry += total;
            position += total;
        }

        Volatile.Write(ref _offsetOfMaxTimestamp, offsetOfMax);
        Volatile.Write(ref _maxTimestamp, maxTimestamp);
        Volatile.Write(ref _nextOffset, lastOffset + 1);
        Volatile.Write(ref _size, start + batches.Length);
        Volatile.Write(ref _lastModifiedMs, nowMs);
    }

    /// <summary>Zeros kept written ahead of the data of a segment that preallocates (at most).</summary>
    public const int PreallocateAheadBytes = 2 * 1024 * 1024;

    /// <summary>How much one append zeroes at most: no append stalls on a large write, and a new segment starts small.</summary>
    public const int PreallocateStepBytes = 1024 * 1024;

    private static byte[]? s_zeros;

    /// <summary>
    /// <c>preallocate</c>: keeps the file up to <see cref="PreallocateAheadBytes"/> longer than the
    /// data (never past <paramref name="limit"/>, the segment size), one step of zeros per append
    /// that finds less than a step ahead. Why written zeros rather than a sparse or
    /// <c>fallocate</c>d file (Kafka's way): an append that grows the file makes its next flush
    /// commit the file-system journal (the new size and blocks), and so do unwritten extents; an
    /// append into blocks already written and flushed does not (bench/RESULTS.md, "What one fsync
    /// round costs"). The zeros are never data: reads stop at <see cref="Size"/>, recovery stops at
    /// the first invalid batch, and <see cref="TrimPreallocation"/> cuts them off when the segment
    /// rolls or the log closes.
    /// </summary>
    private void PrepareAhead(long end, long limit)
    {
        if (_preparedEnd - end >= PreallocateAheadBytes - PreallocateStepBytes)
        {
            return;
        }

        var from = Math.Max(_preparedEnd, end);
        var length = (int)Math.Min(PreallocateStepBytes, limit - from);
        if (length <= 0)
        {
            return;
        }

        var zeros = s_zeros ??= new byte[PreallocateStepBytes];
        _log.Write(zeros.AsSpan(0, length), from);
        _preparedEnd = from + length;
    }

    /// <summary>
    /// Cuts the file back to the data (after <see cref="PrepareAhead"/>): when the segment rolls and
    /// before the log closes, so a clean restart finds file length == data. The next flush makes the
    /// new length durable before the recovery point can pass this segment. Caller holds the append lock.
    /// </summary>
    public void TrimPreallocation()
    {
        if (_preparedEnd > _size)
        {
            _log.SetLength(_size);
            _preparedEnd = _size;
            _needsSync = true;
        }
    }

    /// <summary>Kafka's <c>onBecomeInactiveSegment</c>: records the largest timestamp in the time index.</summary>
    public void OnBecomeInactive() => TimeIndex.MaybeAppend(MaxTimestamp, OffsetOfMaxTimestamp, skipFullCheck: true);

    /// <summary>fsyncs the log file if it has unflushed bytes. Called only by the flusher.</summary>
    public void FlushLog()
    {
        var size = Size;
        if (size > Volatile.Read(ref _flushedSize) || _needsSync)
        {
            _needsSync = false;
            _log.Flush();
            Volatile.Write(ref _flushedSize, Math.Max(size, Volatile.Read(ref _flushedSize)));
        }
    }

    /// <summary>fsyncs the index files if they changed.</summary>
    public void FlushIndexes()
    {
        _offsetIndex.Flush();
        _timeIndex?.Flush();
        _txnIndex.Flush();
    }

    /// <summary>
    /// Position of the first batch whose last offset is at or above <paramref name="targetOffset"/>,
    /// found with the offset index and a forward scan of batch headers; -1 when no such batch lies
    /// below <paramref name="size"/>.
    /// </summary>
    public long FindBatchPosition(long targetOffset, long size, out long batchBaseOffset)
    {
        var block = ArrayPool<byte>.Shared.Rent(ScanBlockSize);
        try
        {
            return FindBatchPosition(targetOffset, size, block.AsSpan(0, ScanBlockSize), out _, out _, out batchBaseOffset);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    /// <summary>
    /// <see cref="FindBatchPosition(long, long, out long)"/> reading the file a block at a time: the
    /// headers between an index entry and the target (up to <c>index.interval.bytes</c> of small
    /// batches) come from one read instead of one read each. On return
    /// <paramref name="block"/><c>[..blockLength]</c> holds the file's bytes from
    /// <paramref name="blockStart"/>, which include the found batch's header, so a reader at the
    /// log's tail finds its data there too.
    /// </summary>
    private long FindBatchPosition(long targetOffset, long size, Span<byte> block, out long blockStart, out int blockLength, out long batchBaseOffset)
    {
        var position = (long)_offsetIndex.Lookup(targetOffset).Position;
        blockStart = position;
        blockLength = 0;
        while (position < size)
        {
            if (position + ScanHeaderSize > blockStart + blockLength)
            {
                if (size - position < ScanHeaderSize)
                {
                    ThrowHelper.ThrowCorruptLog(LogPath, position, "a whole batch header before the end of the segment");
                }

                var length = (int)Math.Min(block.Length, size - position);
                _log.ReadExactly(block[..length], position);
                blockStart = position;
                blockLength = length;
            }

            var header = block.Slice((int)(position - blockStart), ScanHeaderSize);
            CheckHeader(header, position, size, out var baseOffset, out var total);
            var lastOffset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchHeader.LastOffsetDeltaOffset..]);
            if (lastOffset >= targetOffset)
            {
                batchBaseOffset = baseOffset;
                return position;
            }

            position += total;
        }

        batchBaseOffset = -1;
        return -1;
    }

    private void ReadHeader(Span<byte> header, long position, long size, out long baseOffset, out long total)
    {
        if (size - position < header.Length)
        {
            ThrowHelper.ThrowCorruptLog(LogPath, position, "a whole batch header before the end of the segment");
        }

        _log.ReadExactly(header, position);
        CheckHeader(header, position, size, out baseOffset, out total);
    }

    /// <summary>Reads the base offset and total size of the batch header at <paramref name="position"/>, checking its length and magic.</summary>
    private void CheckHeader(ReadOnlySpan<byte> header, long position, long size, out long baseOffset, out long total)
    {
        baseOffset = BinaryPrimitives.ReadInt64BigEndian(header);
        var length = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchHeader.BatchLengthOffset..]);
        total = (long)length + RecordBatchHeader.LogOverhead;
        if (length < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead || position + total > size)
        {
            ThrowHelper.ThrowBadBatchLength(LogPath, position, size - position, length);
        }

        if (header[RecordBatchHeader.MagicOffset] != RecordBatchHeader.CurrentMagic)
        {
            ThrowHelper.ThrowCorruptLog(LogPath, position, "magic 2");
        }
    }

    /// <summary>Outcome of <see cref="ReadBatches"/>.</summary>
    public enum ReadStatus
    {
        /// <summary>No batch at or after the start offset in this segment: try the next one.</summary>
        NotInSegment,

        /// <summary>A batch was found but nothing may be returned (limits): stop with an empty result.</summary>
        Empty,

        /// <summary>Batches returned.</summary>
        Data,
    }

    /// <summary>
    /// Replays the batch headers of the segment from the batch holding <paramref name="fromOffset"/> into
    /// <paramref name="producers"/> (the producer-state rebuild when a log is opened or truncated): one
    /// header-sized read per batch, plus the one record of each marker. Every transaction a marker
    /// aborts goes to <paramref name="aborted"/>, with the last stable offset the append computed for it.
    /// </summary>
    internal void ReplayProducerState(Producers.ProducerStateManager producers, long fromOffset, List<AbortedTransaction> aborted)
    {
        Span<byte> buffer = stackalloc byte[RecordBatchHeader.Size];
        var size = Size;
        long position = fromOffset > BaseOffset ? FindBatchPosition(fromOffset, size, out _) : 0;
        if (position < 0)
        {
            return;
        }

        while (position + RecordBatchHeader.Size <= size)
        {
            _log.ReadExactly(buffer, position);
            var header = RecordBatchHeader.Read(buffer);
            if (header.TotalSize < RecordBatchHeader.Size)
            {
                ThrowHelper.ThrowBadBatchLength(LogPath, position, size - position, header.TotalSize - RecordBatchHeader.LogOverhead);
            }

            Producers.TransactionMarker? marker = null;
            if (header.IsControl && header.ProducerId >= 0)
            {
                // A marker's type and coordinator epoch are in its one record, not the header.
                using var batch = ReadBatchAt(position, size);
                marker = Producers.TransactionMarker.TryRead(batch.Span);
            }

            if (producers.Record(header, header.BaseOffset, header.LastOffset, marker) is { IsAborted: true } abort)
            {
                aborted.Add(AbortedTransaction.After(abort, producers));
            }

            position += header.TotalSize;
        }
    }

    /// <summary>
    /// Whole batches from the one containing <paramref name="startOffset"/>: at most
    /// <paramref name="maxBytes"/> bytes unless <paramref name="minOneBatch"/> and the first batch is
    /// larger (KIP-74), none whose base offset is at or above <paramref name="limitOffset"/>.
    /// </summary>
    public ReadStatus ReadBatches(long startOffset, int maxBytes, long limitOffset, bool minOneBatch, out PooledBuffer? data)
    {
        data = null;
        var size = Size;
        var blockArray = ArrayPool<byte>.Shared.Rent(ScanBlockSize);
        PooledBuffer? buffer = null;
        try
        {
            var block = blockArray.AsSpan(0, ScanBlockSize);
            var position = FindBatchPosition(startOffset, size, block, out var blockStart, out var blockLength, out var firstBase);
            if (position < 0)
            {
                return ReadStatus.NotInSegment;
            }

            if (firstBase >= limitOffset)
            {
                return ReadStatus.Empty;
            }

            var available = size - position;
            var want = (int)Math.Min(available, Math.Max(0, maxBytes));
            buffer = PooledBuffer.Rent(want);

            // What the scan already read is copied rather than read again: at the tail of a log that
            // is often all of it, and the read costs no system call.
            var inBlock = (int)Math.Min(want, blockStart + blockLength - position);
            block.Slice((int)(position - blockStart), inBlock).CopyTo(buffer.Span);
            var read = inBlock + (want > inBlock ? _log.ReadAtMost(buffer.Span[inBlock..want], position + inBlock) : 0);
            var span = buffer.Span[..read];
            var used = 0;
            while (span.Length - used >= RecordBatchHeader.LogOverhead)
            {
                var baseOffset = BinaryPrimitives.ReadInt64BigEndian(span[used..]);
                var length = BinaryPrimitives.ReadInt32BigEndian(span[(used + RecordBatchHeader.BatchLengthOffset)..]);
                if (length < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
                {
                    ThrowHelper.ThrowBadBatchLength(LogPath, position + used, size - position - used, length);
                }

                if (baseOffset >= limitOffset || (long)used + length + RecordBatchHeader.LogOverhead > span.Length)
                {
                    break;
                }

                used += length + RecordBatchHeader.LogOverhead;
            }

            if (used > 0)
            {
                buffer.Trim(used);
                data = buffer;
                buffer = null;
                return ReadStatus.Data;
            }

            if (!minOneBatch)
            {
                return ReadStatus.Empty;
            }

            // KIP-74: the first batch is returned whole even when larger than maxBytes, so a consumer
            // can always make progress.
            data = ReadBatchAt(position, size);
            return ReadStatus.Data;
        }
        finally
        {
            buffer?.Dispose();
            ArrayPool<byte>.Shared.Return(blockArray);
        }
    }

    /// <summary>Reads the whole batch starting at <paramref name="position"/>.</summary>
    public PooledBuffer ReadBatchAt(long position, long size)
    {
        Span<byte> header = stackalloc byte[ScanHeaderSize];
        ReadHeader(header, position, size, out _, out var total);
        var batch = PooledBuffer.Rent((int)total);
        try
        {
            _log.ReadExactly(batch.Span, position);
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The first batch (with last offset ≥ <paramref name="startingOffset"/>) whose max timestamp is
    /// at or above <paramref name="timestamp"/>: time index lookup, offset index lookup, then a short
    /// scan of headers (Kafka's <c>LogSegment.findOffsetByTimestamp</c>).
    /// </summary>
    public LogBatchLookup? FindFirstBatchWithMaxTimestampAtLeast(long timestamp, long startingOffset)
    {
        var size = Size;
        var (_, entryOffset) = TimeIndex.Lookup(timestamp);
        var position = (long)_offsetIndex.Lookup(Math.Max(entryOffset, startingOffset)).Position;
        Span<byte> header = stackalloc byte[RecordBatchHeader.MaxTimestampOffset + 8];
        while (position < size)
        {
            ReadHeader(header, position, size, out var baseOffset, out var total);
            var lastOffset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchHeader.LastOffsetDeltaOffset..]);
            var maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchHeader.MaxTimestampOffset..]);
            if (lastOffset >= startingOffset && maxTimestamp >= timestamp)
            {
                return new LogBatchLookup(baseOffset, lastOffset, maxTimestamp, ReadBatchAt(position, size));
            }

            position += total;
        }

        return null;
    }

    /// <summary>The batch whose base offset is <paramref name="offset"/>, or null.</summary>
    public LogBatchLookup? ReadBatchWithBaseOffset(long offset)
    {
        var size = Size;
        var position = FindBatchPosition(offset, size, out var baseOffset);
        if (position < 0 || baseOffset != offset)
        {
            return null;
        }

        Span<byte> header = stackalloc byte[RecordBatchHeader.MaxTimestampOffset + 8];
        ReadHeader(header, position, size, out _, out _);
        var lastOffset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchHeader.LastOffsetDeltaOffset..]);
        var maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchHeader.MaxTimestampOffset..]);
        return new LogBatchLookup(baseOffset, lastOffset, maxTimestamp, ReadBatchAt(position, size));
    }

    /// <summary>
    /// Removes the batch containing <paramref name="offset"/> and everything after it (Kafka
    /// truncates at batch boundaries). Returns the bytes removed. Caller holds the append lock.
    /// </summary>
    public long TruncateTo(long offset)
    {
        var size = Size;
        var position = FindBatchPosition(offset, size, out var batchBase);
        if (position < 0)
        {
            return 0;
        }

        _offsetIndex.TruncateTo(batchBase);
        TimeIndex.TruncateTo(batchBase);
        _txnIndex.TruncateTo(batchBase);
        _log.SetLength(position);
        _preparedEnd = position;
        Volatile.Write(ref _size, position);
        Volatile.Write(ref _nextOffset, batchBase);
        Volatile.Write(ref _flushedSize, Math.Min(Volatile.Read(ref _flushedSize), position));
        _needsSync = true;

        // Recompute the largest timestamp: the time index covers batches up to the last offset-index
        // entry; scan the rest.
        long max = -1, maxOffset = -1;
        if (TimeIndex.LastEntry is { } lastTime)
        {
            max = lastTime.Timestamp;
            maxOffset = BaseOffset + lastTime.RelativeOffset;
        }

        var scanFrom = _offsetIndex.LastEntry is { } lastEntry ? lastEntry.Position : 0L;
        using (var scanner = new BatchScanner(_log, scanFrom, position, BaseOffset, BaseOffset, verifyCrc: false))
        {
            while (scanner.TryNext(out var batch))
            {
                if (batch.MaxTimestamp > max)
                {
                    max = batch.MaxTimestamp;
                    maxOffset = batch.BaseOffset;
                }
            }
        }

        Volatile.Write(ref _maxTimestamp, max);
        Volatile.Write(ref _offsetOfMaxTimestamp, maxOffset);
        _bytesSinceLastIndexEntry = position - scanFrom;
        if (position == 0)
        {
            _rollingBasedTimestamp = -1;
        }

        return size - position;
    }

    /// <summary>
    /// Renames the files from <c>name + fromSuffix</c> to <c>name + toSuffix</c>, index files first
    /// (the <c>.txnindex</c> only if there is one) and the log last (Kafka's <c>changeFileSuffixes</c>).
    /// Open handles follow the files. Used by the cleaner's <c>.cleaned</c> → <c>.swap</c> → final protocol.
    /// </summary>
    public void RenameFiles(string fromSuffix, string toSuffix)
    {
        foreach (var extension in Extensions)
        {
            var path = FilePath(Directory, BaseOffset, extension);
            if (extension == TxnIndexExtension)
            {
                _txnIndex.MoveTo(path + toSuffix);
                continue;
            }

            _fs.MoveFile(path + fromSuffix, path + toSuffix, overwrite: true);
        }
    }

    /// <summary>
    /// The time of the last append, which retention uses when the batches carry no timestamps. A
    /// cleaned segment takes the value of the segments it replaces (Kafka's <c>setLastModified</c>).
    /// </summary>
    public long LastModifiedMs
    {
        get => Volatile.Read(ref _lastModifiedMs);
        set => Volatile.Write(ref _lastModifiedMs, value);
    }

    /// <summary>Renames the files to <c>*.deleted</c> (Kafka's asynchronous delete); handles stay open for in-flight reads.</summary>
    public void RenameForDeletion()
    {
        Volatile.Write(ref _deleted, 1);

        // From now on this segment's files are the *.deleted ones: a cleaned segment with the same
        // base offset may take the plain names, and DeleteFiles must not remove those.
        Volatile.Write(ref _renamedForDeletion, 1);
        foreach (var extension in (ReadOnlySpan<string>)[LogExtension, IndexExtension, TimeIndexExtension])
        {
            var path = FilePath(Directory, BaseOffset, extension);
            if (_fs.FileExists(path))
            {
                _fs.MoveFile(path, path + DeletedSuffix, overwrite: true);
            }
        }

        _txnIndex.MoveTo(FilePath(Directory, BaseOffset, TxnIndexExtension) + DeletedSuffix);
    }

    /// <summary>Closes the handles and deletes the files (renamed or not).</summary>
    public void DeleteFiles()
    {
        Volatile.Write(ref _deleted, 1);
        Dispose();
        var renamed = Volatile.Read(ref _renamedForDeletion) != 0;
        foreach (var extension in (ReadOnlySpan<string>)[LogExtension, IndexExtension, TimeIndexExtension])
        {
            var path = FilePath(Directory, BaseOffset, extension);
            if (!renamed)
            {
                _fs.DeleteFile(path);
            }

            _fs.DeleteFile(path + DeletedSuffix);
        }

        _txnIndex.Delete();
    }

    public void Dispose()
    {
        _log.Dispose();
        _offsetIndex.Dispose();
        _timeIndex?.Dispose();
        _txnIndex.Dispose();
    }

    public override string ToString() => FileName(BaseOffset, LogExtension);
}
