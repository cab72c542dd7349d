using Runnel.Storage.IO;
using Runnel.Storage.Recovery;

namespace Runnel.Storage.Log;

/// <summary>One batch of a segment file, as <see cref="SegmentFileReader"/> found it.</summary>
public readonly record struct SegmentBatchInfo(long Position, int Size, long BaseOffset, long LastOffset, long MaxTimestamp);

/// <summary>What <see cref="SegmentFileReader.Scan"/> found: the valid batches, where they end, and why scanning stopped early (or null).</summary>
public sealed record SegmentScanResult(IReadOnlyList<SegmentBatchInfo> Batches, long ValidBytes, long FileLength, string? Problem);

/// <summary>
/// Offline reading of a <c>.log</c> segment file with the same checks recovery applies (length,
/// magic, CRC-32C, increasing offsets), for tools such as <c>runnel dump-log</c>. Read-only; safe on
/// a live broker's files (it sees whatever is in the page cache).
/// </summary>
public static class SegmentFileReader
{
    /// <summary>Scans every batch of the segment at <paramref name="logPath"/> (named <c>&lt;baseOffset:D20&gt;.log</c>).</summary>
    public static SegmentScanResult Scan(IFileSystem fs, string logPath, bool verifyCrc = true)
    {
        ArgumentNullException.ThrowIfNull(fs);
        if (!LogSegment.TryParseBaseOffset(Path.GetFileName(logPath), LogSegment.LogExtension, out var baseOffset))
        {
            baseOffset = 0;
        }

        using var file = fs.OpenFile(logPath, FileMode.Open, FileAccess.Read);
        var length = file.Length;
        var batches = new List<SegmentBatchInfo>();
        using var scanner = new BatchScanner(file, 0, length, baseOffset, baseOffset, verifyCrc);
        while (scanner.TryNext(out var batch))
        {
            batches.Add(new SegmentBatchInfo(batch.Position, batch.Size, batch.BaseOffset, batch.LastOffset, batch.MaxTimestamp));
        }

        return new SegmentScanResult(batches, scanner.Position, length, scanner.Problem);
    }
}
