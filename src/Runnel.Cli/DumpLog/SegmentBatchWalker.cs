using System.Buffers.Binary;
using Runnel.Protocol.Records;

namespace Runnel.Cli.DumpLog;

/// <summary>
/// Walks the batches of a <c>.log</c> segment (docs/formats/segment.md: batches back to back, no
/// file header) by their 12-byte log overhead, reading only headers unless asked for a whole batch.
/// Framing problems end the walk, because a batch's length is the only way to the next one; other
/// problems (CRC, offsets) are the caller's to report, and the walk goes on.
/// </summary>
/// <remarks>
/// With a <c>--max-bytes</c> limit, as in kafka-dump-log, only batches that end inside the limit
/// are returned and a batch cut by the limit is not reported as torn.
/// </remarks>
internal sealed class SegmentBatchWalker(BufferedFileReader file, long maxBytes)
{
    /// <summary>Smallest <c>batchLength</c>: the header after baseOffset and batchLength.</summary>
    public const int MinBatchLength = RecordBatchHeader.Size - RecordBatchHeader.LogOverhead;

    private readonly long _end = Math.Min(file.Length, maxBytes);

    public BufferedFileReader File { get; } = file;

    /// <summary>Start of the next batch; after a framing problem, where the invalid bytes begin.</summary>
    public long Position { get; private set; }

    /// <summary>Why the walk stopped (<see cref="BatchFraming.TornTail"/> or <see cref="BatchFraming.Corrupt"/>).</summary>
    public string? Problem { get; private set; }

    /// <summary>Bytes of the batch <see cref="Next"/> returned, log overhead included (a long: the field is not trusted).</summary>
    public long CurrentSize { get; private set; }

    /// <summary>Reads the header of the batch at <see cref="Position"/> without moving past it.</summary>
    public BatchFraming Next(out RecordBatchHeader header)
    {
        header = default;
        long remaining = _end - Position;
        long inFile = File.Length - Position;
        if (remaining <= 0)
        {
            return BatchFraming.End;
        }

        if (remaining < RecordBatchHeader.LogOverhead)
        {
            return Limited(inFile) ?? Fail(BatchFraming.TornTail, $"{inFile} trailing bytes are shorter than the {RecordBatchHeader.LogOverhead}-byte log overhead");
        }

        ReadOnlySpan<byte> overhead = File.Read(Position, (int)Math.Min(RecordBatchHeader.Size, inFile));
        int batchLength = BinaryPrimitives.ReadInt32BigEndian(overhead[RecordBatchHeader.BatchLengthOffset..]);
        if (batchLength < MinBatchLength)
        {
            // Zeros where a batch should start are what a crash leaves after a preallocated or extended file.
            BatchFraming kind = overhead.ContainsAnyExcept((byte)0) ? BatchFraming.Corrupt : BatchFraming.TornTail;
            return Fail(kind, $"batch length {batchLength} is below the minimum {MinBatchLength}");
        }

        long total = (long)batchLength + RecordBatchHeader.LogOverhead;
        if (total > remaining)
        {
            return total <= inFile
                ? BatchFraming.End
                : Fail(BatchFraming.TornTail, $"a {total}-byte batch but only {inFile} bytes remain");
        }

        byte magic = overhead[RecordBatchHeader.MagicOffset];
        if (magic != RecordBatchHeader.CurrentMagic)
        {
            return Fail(BatchFraming.Corrupt, $"magic {magic}, expected {RecordBatchHeader.CurrentMagic}");
        }

        header = RecordBatchHeader.Read(overhead);
        CurrentSize = total;
        return BatchFraming.Batch;
    }

    /// <summary>The whole current batch (valid until the next read); the caller bounds <see cref="CurrentSize"/> first.</summary>
    public ReadOnlySpan<byte> ReadBatch() => File.Read(Position, checked((int)CurrentSize));

    /// <summary>CRC-32C of the current batch's covered range, read in chunks (no whole-batch buffer); null if the file shrank.</summary>
    public uint? ComputeCrcStreaming() =>
        File.ComputeCrc32C(Position + RecordBatchHeader.AttributesOffset, CurrentSize - RecordBatchHeader.AttributesOffset);

    /// <summary>Moves past the batch that <see cref="Next"/> returned.</summary>
    public void Advance() => Position += CurrentSize;

    /// <summary>When only the <c>--max-bytes</c> window is short, the walk ends quietly (Kafka prints nothing then).</summary>
    private BatchFraming? Limited(long inFile) => _end < File.Length && inFile >= RecordBatchHeader.LogOverhead ? BatchFraming.End : null;

    private BatchFraming Fail(BatchFraming kind, string problem)
    {
        Problem = problem;
        return kind;
    }
}
