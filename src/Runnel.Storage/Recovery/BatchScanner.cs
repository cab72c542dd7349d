using System.Buffers;
using System.Buffers.Binary;
using Runnel.Protocol.Records;
using Runnel.Storage.IO;

namespace Runnel.Storage.Recovery;

/// <summary>One batch found by <see cref="BatchScanner"/>.</summary>
internal readonly record struct ScannedBatch(long Position, int Size, long BaseOffset, long LastOffset, long MaxTimestamp);

/// <summary>
/// Walks the batches of a segment file from a position, checking each one the way recovery must:
/// length within bounds, magic 2, CRC-32C (optional), base offsets increasing, relative offsets that
/// fit the index. Stops at the first batch that fails and says why (<see cref="Problem"/>);
/// <see cref="Position"/> is then the end of the valid prefix, where recovery truncates.
/// </summary>
/// <remarks>Reads in 256 KiB chunks (or one batch, if larger) from a pooled buffer. Not thread-safe.</remarks>
internal sealed class BatchScanner : IDisposable
{
    private const int ChunkSize = 256 * 1024;

    private readonly IStorageFile _file;
    private readonly long _end;
    private readonly long _segmentBaseOffset;
    private readonly bool _verifyCrc;
    private byte[] _buffer;
    private long _bufferStart;
    private int _bufferLength;

    public BatchScanner(IStorageFile file, long startPosition, long endPosition, long segmentBaseOffset, long minimumBaseOffset, bool verifyCrc)
    {
        _file = file;
        _end = endPosition;
        _segmentBaseOffset = segmentBaseOffset;
        _verifyCrc = verifyCrc;
        Position = startPosition;
        NextOffset = minimumBaseOffset;
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(endPosition - startPosition, RecordBatchHeader.Size, ChunkSize));
    }

    /// <summary>Start of the next batch; after a failure, the end of the valid prefix.</summary>
    public long Position { get; private set; }

    /// <summary>The lowest base offset the next batch may have (last offset + 1 of the previous one).</summary>
    public long NextOffset { get; private set; }

    /// <summary>Why scanning stopped before the end, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>True when the problem is an incomplete last batch (a torn write) rather than bad bytes.</summary>
    public bool IsTornTail { get; private set; }

    public bool TryNext(out ScannedBatch batch)
    {
        batch = default;
        if (Problem is not null)
        {
            return false;
        }

        var remaining = _end - Position;
        if (remaining <= 0)
        {
            return false;
        }

        if (remaining < RecordBatchHeader.Size)
        {
            return Fail($"{remaining} trailing bytes are shorter than a {RecordBatchHeader.Size}-byte batch header", torn: true);
        }

        var header = Window(Position, RecordBatchHeader.Size);
        if (header.IsEmpty)
        {
            return Fail("the file is shorter than its length said", torn: true);
        }

        var batchLength = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchHeader.BatchLengthOffset..]);
        if (batchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
        {
            return Fail($"batch length {batchLength} is below the minimum {RecordBatchHeader.Size - RecordBatchHeader.LogOverhead}", torn: IsAllZero(header));
        }

        var total = (long)batchLength + RecordBatchHeader.LogOverhead;
        if (total > remaining)
        {
            return Fail($"a {total}-byte batch but only {remaining} bytes remain", torn: true);
        }

        var magic = header[RecordBatchHeader.MagicOffset];
        if (magic != RecordBatchHeader.CurrentMagic)
        {
            return Fail($"magic {magic}, expected {RecordBatchHeader.CurrentMagic}", torn: false);
        }

        var baseOffset = BinaryPrimitives.ReadInt64BigEndian(header);
        var lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchHeader.LastOffsetDeltaOffset..]);
        var maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchHeader.MaxTimestampOffset..]);
        if (lastOffsetDelta < 0)
        {
            return Fail($"last offset delta {lastOffsetDelta} is negative", torn: false);
        }

        if (baseOffset < NextOffset)
        {
            return Fail($"base offset {baseOffset} is below the expected minimum {NextOffset}", torn: false);
        }

        var lastOffset = baseOffset + lastOffsetDelta;
        if (lastOffset - _segmentBaseOffset > int.MaxValue)
        {
            return Fail($"offset {lastOffset} is too far above the segment base {_segmentBaseOffset}", torn: false);
        }

        if (_verifyCrc)
        {
            var whole = Window(Position, (int)total);
            if (whole.IsEmpty)
            {
                return Fail("the file is shorter than its length said", torn: true);
            }

            var stored = BinaryPrimitives.ReadUInt32BigEndian(whole[RecordBatchHeader.CrcOffset..]);
            var computed = RecordBatchHeader.ComputeCrc(whole);
            if (stored != computed)
            {
                return Fail($"CRC-32C 0x{stored:X8} but the bytes give 0x{computed:X8}", torn: false);
            }
        }

        batch = new ScannedBatch(Position, (int)total, baseOffset, lastOffset, maxTimestamp);
        Position += total;
        NextOffset = lastOffset + 1;
        return true;
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool Fail(string problem, bool torn)
    {
        Problem = problem;
        IsTornTail = torn;
        return false;
    }

    private static bool IsAllZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);

    /// <summary>The bytes [position, position + count) from the buffer, refilling it if needed; empty if the file is short.</summary>
    private ReadOnlySpan<byte> Window(long position, int count)
    {
        if (position >= _bufferStart && position + count <= _bufferStart + _bufferLength)
        {
            return _buffer.AsSpan((int)(position - _bufferStart), count);
        }

        var want = (int)Math.Min(Math.Max(count, ChunkSize), _end - position);
        if (_buffer.Length < want)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(want);
        }

        _bufferStart = position;
        _bufferLength = _file.ReadAtMost(_buffer.AsSpan(0, want), position);
        return _bufferLength < count ? [] : _buffer.AsSpan(0, count);
    }
}
