using System.Buffers.Binary;
using System.Globalization;
using Runnel.Protocol.Records;
using Runnel.Storage.Producers;

namespace Runnel.Cli.DumpLog;

/// <summary>
/// Dumps a <c>.txnindex</c> (docs/formats/txn-index.md) as kafka-dump-log does (Kafka's
/// <c>dumpTxnIndex</c>): one <c>version: V producerId: P firstOffset: F lastOffset: L
/// lastStableOffset: S</c> line per entry. Each entry is checked as the broker checks it when it loads
/// the file (version 0, ordered offsets, increasing marker offsets, whole entries), and against the
/// segment's <c>.log</c> next to it: its last offset must be an ABORT marker of its producer.
/// </summary>
/// <remarks>
/// The layout is read here from its documentation, not through the broker's code, so the dump also
/// checks the format doc. Entries are streamed through a window buffer and the log is walked forward
/// once (entries name increasing offsets); nothing is held per entry.
/// </remarks>
internal static class TransactionIndexDumper
{
    private const int EntrySize = 34;

    public static void Dump(string path, DumpLogSettings settings, DumpWriter output, DumpFindings findings)
    {
        using BufferedFileReader index = BufferedFileReader.Open(path);
        long count = index.Length / EntrySize;
        if (index.Length == 0)
        {
            output.Text(path).Text(" is empty.").EndLine();
            return;
        }

        long baseOffset = DumpFileNames.TryParseBaseOffset(path, out long parsed) ? parsed : 0;
        using BufferedFileReader? log = IndexDumper.OpenSiblingLog(path, output);
        SegmentBatchWalker? walker = log is null ? null : new SegmentBatchWalker(log, long.MaxValue);
        RecordBatchHeader batch = default;
        BatchFraming framing = walker?.Next(out batch) ?? BatchFraming.End;
        string? problem = null;
        long previousLastOffset = -1;
        for (long i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = index.Read(i * EntrySize, EntrySize);
            short version = BinaryPrimitives.ReadInt16BigEndian(entry);
            long producerId = BinaryPrimitives.ReadInt64BigEndian(entry[2..]);
            long firstOffset = BinaryPrimitives.ReadInt64BigEndian(entry[10..]);
            long lastOffset = BinaryPrimitives.ReadInt64BigEndian(entry[18..]);
            long lastStableOffset = BinaryPrimitives.ReadInt64BigEndian(entry[26..]);
            string? entryProblem = Check(version, firstOffset, lastOffset, lastStableOffset, previousLastOffset, baseOffset);
            if (entryProblem is not null)
            {
                findings.Corruption(path, i * EntrySize, entryProblem);
                problem ??= string.Create(CultureInfo.InvariantCulture, $"entry {i}: {entryProblem}");
            }

            if (walker is not null && lastOffset > previousLastOffset)
            {
                while (framing == BatchFraming.Batch && batch.LastOffset < lastOffset)
                {
                    walker.Advance();
                    framing = walker.Next(out batch);
                }

                if (framing != BatchFraming.Batch || batch.BaseOffset != lastOffset || !IsAbortMarkerOf(walker, batch, producerId, settings))
                {
                    findings.AbortMarkerNotFound(path, producerId, lastOffset);
                    problem ??= string.Create(CultureInfo.InvariantCulture, $"entry {i}: no ABORT marker of producer {producerId} at offset {lastOffset} in the log");
                }
            }

            if (!settings.VerifyIndexOnly && !settings.IndexSanityCheck)
            {
                output.Text("version: ").Number(version)
                    .Text(" producerId: ").Number(producerId)
                    .Text(" firstOffset: ").Number(firstOffset)
                    .Text(" lastOffset: ").Number(lastOffset)
                    .Text(" lastStableOffset: ").Number(lastStableOffset)
                    .EndLine();
            }

            previousLastOffset = Math.Max(previousLastOffset, lastOffset);
        }

        long trailing = index.Length % EntrySize;
        if (trailing != 0)
        {
            string torn = string.Create(CultureInfo.InvariantCulture, $"{trailing} bytes after the last whole {EntrySize}-byte entry");
            findings.Corruption(path, count * EntrySize, torn);
            problem ??= torn;
        }

        if (settings.IndexSanityCheck)
        {
            output.Text(path).Text(problem is null ? " passed sanity check." : " failed sanity check: " + problem).EndLine();
        }
    }

    /// <summary>What the broker's load rejects in one entry, apart from the log (where the marker must be).</summary>
    private static string? Check(short version, long firstOffset, long lastOffset, long lastStableOffset, long previousLastOffset, long baseOffset)
    {
        if (version != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"version {version}, expected 0");
        }

        if (lastOffset <= previousLastOffset || lastOffset < baseOffset)
        {
            return string.Create(CultureInfo.InvariantCulture, $"last offset {lastOffset} is not above the previous entry's {previousLastOffset} and at or above the segment's base offset {baseOffset}");
        }

        return firstOffset < 0 || firstOffset > lastOffset || lastStableOffset < 0 || lastStableOffset > lastOffset + 1
            ? string.Create(CultureInfo.InvariantCulture, $"offsets out of order (first {firstOffset}, last {lastOffset}, last stable {lastStableOffset})")
            : null;
    }

    private static bool IsAbortMarkerOf(SegmentBatchWalker walker, in RecordBatchHeader batch, long producerId, DumpLogSettings settings) =>
        batch.IsControl && batch.ProducerId == producerId && walker.CurrentSize <= settings.MaxMessageSize
        && TransactionMarker.TryRead(walker.ReadBatch()) is { Type: ControlRecordType.Abort };
}
