using System.Buffers.Binary;
using Runnel.Protocol.Records;

namespace Runnel.Cli.DumpLog;

/// <summary>
/// Dumps Runnel's <c>.index</c> (<c>offset: N position: P</c>) and <c>.timeindex</c>
/// (<c>timestamp: T offset: N</c>) files as kafka-dump-log does, checking each entry against the
/// segment's <c>.log</c> next to it. Runnel's layout differs from Kafka's (docs/formats/index.md): a
/// 16-byte versioned header, no preallocated zeros, and offset entries keyed by a batch's
/// <em>base</em> offset, so an entry must point at a batch that starts at its offset, and a time entry
/// names the base offset of the batch whose max timestamp it records.
/// </summary>
/// <remarks>Entries are streamed through a window buffer, and the log is walked forward once; nothing is held per entry.</remarks>
internal static class IndexDumper
{
    public static void DumpOffsetIndex(string path, DumpLogSettings settings, DumpWriter output, DumpFindings findings)
    {
        using BufferedFileReader index = BufferedFileReader.Open(path);
        IndexFileHeader header = IndexFileHeader.Read(index, IndexFileHeader.OffsetIndexMagic, IndexFileHeader.OffsetEntrySize);
        if (!CanDump(path, header, settings, output, findings))
        {
            return;
        }

        using BufferedFileReader? log = OpenSiblingLog(path, output);
        if (settings.IndexSanityCheck)
        {
            ReportSanity(path, header.Problem ?? CheckOffsetIndex(index, header, log), output, findings);
            return;
        }

        for (long i = 0; i < header.Count; i++)
        {
            ReadOffsetEntry(index, i, out int relativeOffset, out int position);
            long offset = header.BaseOffset + relativeOffset;
            if (log is not null && BaseOffsetAt(log, position) is var logOffset && logOffset != offset)
            {
                findings.IndexMismatch(path, offset, logOffset);
            }

            if (!settings.VerifyIndexOnly)
            {
                output.Text("offset: ").Number(offset).Text(" position: ").Number(position).EndLine();
            }
        }
    }

    public static void DumpTimeIndex(string path, DumpLogSettings settings, DumpWriter output, DumpFindings findings)
    {
        using BufferedFileReader index = BufferedFileReader.Open(path);
        IndexFileHeader header = IndexFileHeader.Read(index, IndexFileHeader.TimeIndexMagic, IndexFileHeader.TimeEntrySize);
        if (!CanDump(path, header, settings, output, findings))
        {
            return;
        }

        using BufferedFileReader? log = OpenSiblingLog(path, output);
        if (settings.IndexSanityCheck)
        {
            ReportSanity(path, header.Problem ?? CheckTimeIndex(index, header, log), output, findings);
            return;
        }

        // Entries name increasing offsets, so one forward walk over the log's headers checks them all.
        SegmentBatchWalker? walker = log is null ? null : new SegmentBatchWalker(log, long.MaxValue);
        RecordBatchHeader batch = default;
        BatchFraming framing = walker?.Next(out batch) ?? BatchFraming.End;
        long previousTimestamp = -1;
        long previousOffset = long.MinValue;
        for (long i = 0; i < header.Count; i++)
        {
            ReadTimeEntry(index, i, out long timestamp, out int relativeOffset);
            long offset = header.BaseOffset + relativeOffset;
            if (previousTimestamp >= timestamp)
            {
                findings.OutOfOrderTimestamp(path, timestamp, previousTimestamp);
            }

            if (walker is not null)
            {
                if (offset < previousOffset)
                {
                    findings.Corruption(path, $"entry {i}: offset {offset} is below the previous entry's {previousOffset}");
                }
                else
                {
                    while (framing == BatchFraming.Batch && batch.LastOffset < offset)
                    {
                        walker.Advance();
                        framing = walker.Next(out batch);
                    }

                    if (framing != BatchFraming.Batch || batch.BaseOffset != offset)
                    {
                        findings.IndexedOffsetNotFound(path, offset, framing == BatchFraming.Batch ? batch.BaseOffset : -1);
                    }
                    else if (batch.MaxTimestamp != timestamp)
                    {
                        findings.TimestampMismatch(path, timestamp, batch.MaxTimestamp);
                    }
                }
            }

            if (!settings.VerifyIndexOnly)
            {
                output.Text("timestamp: ").Number(timestamp).Text(" offset: ").Number(offset).EndLine();
            }

            previousTimestamp = timestamp;
            previousOffset = Math.Max(previousOffset, offset);
        }
    }

    /// <summary>Reports header problems; false when there is nothing to dump.</summary>
    private static bool CanDump(string path, IndexFileHeader header, DumpLogSettings settings, DumpWriter output, DumpFindings findings)
    {
        if (!header.Readable)
        {
            if (settings.IndexSanityCheck)
            {
                ReportSanity(path, header.Problem, output, findings);
            }
            else
            {
                findings.Corruption(path, header.Problem!);
            }

            return false;
        }

        if (header.Problem is not null && !settings.IndexSanityCheck)
        {
            // Still dump the whole entries: they are what an operator needs to see.
            findings.Corruption(path, header.Problem);
        }

        if (header.Count == 0 && header.Problem is null)
        {
            output.Text(path).Text(" is empty.").EndLine();
            return false;
        }

        return true;
    }

    private static void ReportSanity(string path, string? problem, DumpWriter output, DumpFindings findings)
    {
        if (problem is null)
        {
            output.Text(path).Text(" passed sanity check.").EndLine();
            return;
        }

        output.Text(path).Text(" failed sanity check: ").Text(problem).EndLine();
        findings.Corruption(path, problem);
    }

    /// <summary>The checks the broker runs when it loads an offset index (docs/formats/index.md, "Validation when loading").</summary>
    private static string? CheckOffsetIndex(BufferedFileReader index, IndexFileHeader header, BufferedFileReader? log)
    {
        int previousRelative = -1;
        int previousPosition = -1;
        for (long i = 0; i < header.Count; i++)
        {
            ReadOffsetEntry(index, i, out int relativeOffset, out int position);
            if (relativeOffset < 0 || position < 0)
            {
                return $"entry {i} has a negative field";
            }

            if (i > 0 && (relativeOffset <= previousRelative || position <= previousPosition))
            {
                return $"entry {i} is not above entry {i - 1}";
            }

            if (log is not null && position >= log.Length)
            {
                return $"entry {i} position {position} is at or past the end of the log ({log.Length} bytes)";
            }

            previousRelative = relativeOffset;
            previousPosition = position;
        }

        if (log is not null && header.Count > 0)
        {
            long expected = header.BaseOffset + previousRelative;
            long actual = BaseOffsetAt(log, previousPosition);
            if (actual != expected)
            {
                return $"the batch at the last entry's position {previousPosition} has base offset {actual}, not {expected}";
            }
        }

        return null;
    }

    /// <summary>The checks the broker runs when it loads a time index.</summary>
    private static string? CheckTimeIndex(BufferedFileReader index, IndexFileHeader header, BufferedFileReader? log)
    {
        long logEndOffset = long.MaxValue;
        if (log is not null)
        {
            SegmentBatchWalker walker = new(log, long.MaxValue);
            logEndOffset = header.BaseOffset;
            while (walker.Next(out RecordBatchHeader batch) == BatchFraming.Batch)
            {
                logEndOffset = Math.Max(logEndOffset, batch.LastOffset + 1);
                walker.Advance();
            }
        }

        long previousTimestamp = 0;
        int previousRelative = 0;
        for (long i = 0; i < header.Count; i++)
        {
            ReadTimeEntry(index, i, out long timestamp, out int relativeOffset);
            long offset = header.BaseOffset + relativeOffset;
            if (relativeOffset < 0 || offset >= logEndOffset)
            {
                return $"entry {i} offset {offset} is outside the segment's offsets [{header.BaseOffset}, {logEndOffset})";
            }

            if (i > 0 && (timestamp <= previousTimestamp || relativeOffset < previousRelative))
            {
                return $"entry {i} is not above entry {i - 1}";
            }

            previousTimestamp = timestamp;
            previousRelative = relativeOffset;
        }

        return null;
    }

    private static void ReadOffsetEntry(BufferedFileReader index, long i, out int relativeOffset, out int position)
    {
        ReadOnlySpan<byte> entry = index.Read(IndexFileHeader.Size + (i * IndexFileHeader.OffsetEntrySize), IndexFileHeader.OffsetEntrySize);
        relativeOffset = BinaryPrimitives.ReadInt32BigEndian(entry);
        position = BinaryPrimitives.ReadInt32BigEndian(entry[4..]);
    }

    private static void ReadTimeEntry(BufferedFileReader index, long i, out long timestamp, out int relativeOffset)
    {
        ReadOnlySpan<byte> entry = index.Read(IndexFileHeader.Size + (i * IndexFileHeader.TimeEntrySize), IndexFileHeader.TimeEntrySize);
        timestamp = BinaryPrimitives.ReadInt64BigEndian(entry);
        relativeOffset = BinaryPrimitives.ReadInt32BigEndian(entry[8..]);
    }

    /// <summary>The base offset of the batch starting at <paramref name="position"/>; -1 when no batch header fits there.</summary>
    private static long BaseOffsetAt(BufferedFileReader log, long position)
    {
        ReadOnlySpan<byte> overhead = log.Read(position, RecordBatchHeader.LogOverhead);
        return overhead.IsEmpty ? -1 : BinaryPrimitives.ReadInt64BigEndian(overhead);
    }

    /// <summary>The segment's <c>.log</c> beside an index file, or null (after saying so) when there is none.</summary>
    internal static BufferedFileReader? OpenSiblingLog(string indexPath, DumpWriter output)
    {
        string logPath = DumpFileNames.SiblingLog(indexPath);
        if (File.Exists(logPath))
        {
            return BufferedFileReader.Open(logPath);
        }

        output.Text("No log file ").Text(logPath).Text(": entries are not checked against it.").EndLine();
        return null;
    }
}
