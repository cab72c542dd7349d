using System.Buffers.Binary;
using Runnel.Protocol.Records;

namespace Runnel.Cli.DumpLog;

/// <summary>
/// Dumps a <c>.log</c> segment in kafka-dump-log's format (Kafka's <c>DumpLogSegments.dumpLog</c>):
/// <c>Log starting offset: N</c>, one line per batch (<c>baseOffset: … isvalid: true</c>), with deep
/// iteration one <c>| offset: …</c> line per record, and <c>Found N invalid bytes at the end of F</c>
/// when the file ends in bytes that are not a whole batch.
/// </summary>
/// <remarks>
/// Reads through one window buffer (<see cref="BufferedFileReader"/>): a batch is held in memory
/// only when its records are printed or its CRC checked in one go, and only up to
/// <see cref="DumpLogSettings.MaxMessageSize"/>; larger batches are CRC-checked chunk by chunk.
/// Decompression is capped like the broker's (64 MiB per batch). Record lines allocate nothing per
/// record (see <see cref="DumpWriter"/>).
/// </remarks>
internal static class SegmentDumper
{
    /// <summary>The broker's own cap on a batch's decompressed records, so whatever it accepted fits.</summary>
    public const int MaxDecompressedBytes = RecordBatchValidationOptions.DefaultMaxDecompressedBytes;

    public static void Dump(string path, DumpLogSettings settings, DumpWriter output, DumpFindings findings)
    {
        string name = Path.GetFileName(path);
        using BufferedFileReader file = BufferedFileReader.Open(path);
        if (!DumpFileNames.TryParseBaseOffset(path, out long segmentBaseOffset))
        {
            segmentBaseOffset = 0;
            output.Line("Log starting offset: unknown (the file name is not <base offset>.log)");
        }
        else
        {
            output.Text("Log starting offset: ").Number(segmentBaseOffset).EndLine();
        }

        SegmentBatchWalker walker = new(file, settings.MaxBytes);
        long nextOffset = segmentBaseOffset;
        long lastRecordOffset = -1;
        BatchFraming framing;
        while ((framing = walker.Next(out RecordBatchHeader header)) == BatchFraming.Batch)
        {
            long position = walker.Position;
            long size = walker.CurrentSize;
            bool inMemory = size <= settings.MaxMessageSize;
            ReadOnlySpan<byte> batch = inMemory ? walker.ReadBatch() : default;
            uint? computed = !inMemory ? walker.ComputeCrcStreaming()
                : batch.IsEmpty ? null // the file shrank after it was opened
                : RecordBatchHeader.ComputeCrc(batch);
            bool valid = computed == header.Crc;
            WriteBatchLine(output, header, position, size, valid);

            if (!valid)
            {
                findings.Corruption(path, position, computed is uint crc
                    ? $"CRC-32C 0x{header.Crc:X8} but the bytes give 0x{crc:X8}"
                    : "the file ended while the batch was read");
            }

            CheckOffsets(path, header, position, segmentBaseOffset, ref nextOffset, findings);
            if (settings.IsDeepIteration)
            {
                if (!batch.IsEmpty)
                {
                    DumpRecords(path, batch, header, position, settings, output, findings, ref lastRecordOffset);
                }
                else if (inMemory)
                {
                    output.Line("| records not shown: the file ended while the batch was read");
                }
                else
                {
                    output.Text("| records not shown: the batch's ").Number(size).Text(" bytes are more than --max-message-size ").Number(settings.MaxMessageSize).EndLine();
                }
            }

            walker.Advance();
        }

        if (framing == BatchFraming.TornTail && IsZeroToEnd(file, walker.Position))
        {
            // The active segment of a log with preallocate=true runs ahead of its data in written
            // zeros (docs/formats/segment.md); a crash leaves the same. Unused space, not damage.
            output.Text("Found ").Number(file.Length - walker.Position).Text(" bytes of zeros after the last batch of ").Text(name)
                .Text(" (space preallocated ahead of the data, or left unwritten by a crash)").EndLine();
        }
        else if (framing is BatchFraming.TornTail or BatchFraming.Corrupt)
        {
            // Kafka's line, so scripts written for kafka-dump-log still find it; the reason goes to stderr.
            output.Text("Found ").Number(file.Length - walker.Position).Text(" invalid bytes at the end of ").Text(name).EndLine();
            findings.Corruption(path, walker.Position, (framing == BatchFraming.TornTail ? "torn tail: " : "not a batch: ") + walker.Problem);
        }
    }

    /// <summary>Whether every byte from <paramref name="position"/> to the end of the file is zero.</summary>
    private static bool IsZeroToEnd(BufferedFileReader file, long position)
    {
        while (position < file.Length)
        {
            var chunk = file.Read(position, (int)Math.Min(BufferedFileReader.ChunkSize, file.Length - position));
            if (chunk.IsEmpty || chunk.ContainsAnyExcept((byte)0))
            {
                return false;
            }

            position += chunk.Length;
        }

        return true;
    }

    private static void WriteBatchLine(DumpWriter output, in RecordBatchHeader header, long position, long size, bool valid)
    {
        output.Text("baseOffset: ").Number(header.BaseOffset)
            .Text(" lastOffset: ").Number(header.LastOffset)
            .Text(" count: ").Number(header.RecordCount)
            .Text(" baseSequence: ").Number(header.BaseSequence)
            .Text(" lastSequence: ").Number(Sequence(header.BaseSequence, header.LastOffsetDelta))
            .Text(" producerId: ").Number(header.ProducerId)
            .Text(" producerEpoch: ").Number(header.ProducerEpoch)
            .Text(" partitionLeaderEpoch: ").Number(header.PartitionLeaderEpoch)
            .Text(" isTransactional: ").Boolean(header.IsTransactional)
            .Text(" isControl: ").Boolean(header.IsControl)
            .Text(" deleteHorizonMs: ");

        // Java's OptionalLong.toString(), as Kafka prints it (KIP-534 keeps the horizon in baseTimestamp).
        if (header.HasDeleteHorizon)
        {
            output.Text("OptionalLong[").Number(header.BaseTimestamp).Text("]");
        }
        else
        {
            output.Text("OptionalLong.empty");
        }

        output.Text(" position: ").Number(position)
            .Text(" ").Text(TimestampTypeName(header)).Text(": ").Number(header.MaxTimestamp)
            .Text(" size: ").Number(size)
            .Text(" magic: ").Number(header.Magic)
            .Text(" compresscodec: ").Text(CodecName(header.Attributes))
            .Text(" crc: ").Number(header.Crc)
            .Text(" isvalid: ").Boolean(valid)
            .EndLine();
    }

    /// <summary>Offsets must increase across batches (recovery truncates where they do not).</summary>
    private static void CheckOffsets(string path, in RecordBatchHeader header, long position, long segmentBaseOffset, ref long nextOffset, DumpFindings findings)
    {
        if (header.LastOffsetDelta < 0)
        {
            findings.Corruption(path, position, $"last offset delta {header.LastOffsetDelta} is negative");
            return;
        }

        if (header.BaseOffset < nextOffset)
        {
            findings.Corruption(path, position, nextOffset == segmentBaseOffset && position == 0
                ? $"base offset {header.BaseOffset} is below the segment's base offset {segmentBaseOffset}"
                : $"base offset {header.BaseOffset} is not above the previous batch's last offset {nextOffset - 1}");
        }

        nextOffset = Math.Max(nextOffset, header.LastOffset + 1);
    }

    private static void DumpRecords(
        string path,
        ReadOnlySpan<byte> batch,
        in RecordBatchHeader header,
        long position,
        DumpLogSettings settings,
        DumpWriter output,
        DumpFindings findings,
        ref long lastRecordOffset)
    {
        ReadOnlySpan<byte> section = batch[RecordBatchHeader.Size..];
        PooledBuffer? decompressed = null;
        try
        {
            CompressionType codec = header.Compression;
            if (codec != CompressionType.None)
            {
                DecompressionStatus status = CompressionCodec.TryDecompress(codec, section, MaxDecompressedBytes, out decompressed);
                if (status != DecompressionStatus.Done)
                {
                    string reason = status switch
                    {
                        DecompressionStatus.TooLarge => $"the records decompress to more than {MaxDecompressedBytes} bytes",
                        DecompressionStatus.UnsupportedCodec => $"unknown compression codec {(int)codec}",
                        _ => $"the {CodecName(header.Attributes)} record section cannot be decompressed",
                    };
                    output.Text("| records not shown: ").Text(reason).EndLine();
                    findings.Corruption(path, position, reason);
                    return;
                }

                section = decompressed!.Span;
            }

            RecordReader reader = new(section, header.RecordCount);
            while (reader.MoveNext())
            {
                WriteRecordLine(output, reader.Current, header, settings);
                long offset = header.BaseOffset + reader.Current.OffsetDelta;
                if (lastRecordOffset != -1 && offset != lastRecordOffset + 1)
                {
                    findings.NonConsecutive(path, lastRecordOffset, offset);
                }

                lastRecordOffset = offset;
            }

            if (reader.Status != RecordReadStatus.Done)
            {
                string reason = $"record {reader.RecordsRead}: {reader.GetErrorMessage()}";
                output.Text("| records end early: ").Text(reason).EndLine();
                findings.Corruption(path, position, reason);
            }
        }
        finally
        {
            decompressed?.Dispose();
        }
    }

    private static void WriteRecordLine(DumpWriter output, Record record, in RecordBatchHeader header, DumpLogSettings settings)
    {
        string prefix = "| ";
        if (!settings.SkipRecordMetadata)
        {
            // Under LogAppendTime every record's timestamp is the batch's (Kafka's DefaultRecordBatch).
            long timestamp = header.IsLogAppendTime ? header.MaxTimestamp : header.BaseTimestamp + record.TimestampDelta;
            output.Text("| offset: ").Number(header.BaseOffset + record.OffsetDelta)
                .Text(" ").Text(TimestampTypeName(header)).Text(": ").Number(timestamp)
                .Text(" keySize: ").Number(record.HasKey ? record.Key.Length : -1)
                .Text(" valueSize: ").Number(record.HasValue ? record.Value.Length : -1)
                .Text(" sequence: ").Number(Sequence(header.BaseSequence, record.OffsetDelta))
                .Text(" headerKeys: [");
            bool first = true;
            foreach (RecordHeader recordHeader in record.Headers)
            {
                if (!first)
                {
                    output.Text(",");
                }

                output.Utf8(recordHeader.Key);
                first = false;
            }

            output.Text("]");
            if (header.IsControl)
            {
                WriteControlRecord(output, record);
            }

            prefix = " ";
        }

        if (settings.PrintDataLog && !header.IsControl)
        {
            if (record.HasKey)
            {
                output.Text(prefix).Text("key: ").Utf8(record.Key);
                prefix = " ";
            }

            if (record.HasValue)
            {
                output.Text(prefix).Text("payload: ").Utf8(record.Value);
            }
        }

        output.EndLine();
    }

    /// <summary>A control record's key is (version int16, type int16); a transaction marker's value is (version int16, coordinatorEpoch int32).</summary>
    private static void WriteControlRecord(DumpWriter output, Record record)
    {
        if (!record.HasKey || record.Key.Length < 4)
        {
            output.Text(" controlType: UNKNOWN(-1)");
            return;
        }

        short type = BinaryPrimitives.ReadInt16BigEndian(record.Key[2..]);
        if (type is (short)ControlRecordType.Abort or (short)ControlRecordType.Commit && record.HasValue && record.Value.Length >= 6)
        {
            output.Text(" endTxnMarker: ").Text(type == (short)ControlRecordType.Abort ? "ABORT" : "COMMIT")
                .Text(" coordinatorEpoch: ").Number(BinaryPrimitives.ReadInt32BigEndian(record.Value[2..]));
            return;
        }

        output.Text(" controlType: ").Text(ControlTypeName(type)).Text("(").Number(type).Text(")");
    }

    /// <summary>Kafka's names for control record types (ABORT and COMMIT; 2–6 are KRaft's).</summary>
    private static string ControlTypeName(short type) => type switch
    {
        0 => "ABORT",
        1 => "COMMIT",
        2 => "LEADER_CHANGE",
        3 => "SNAPSHOT_HEADER",
        4 => "SNAPSHOT_FOOTER",
        5 => "KRAFT_VERSION",
        6 => "KRAFT_VOTERS",
        _ => "UNKNOWN",
    };

    /// <summary>Kafka's <c>DefaultRecordBatch.incrementSequence</c>: -1 stays -1, otherwise wraps past int.MaxValue to 0.</summary>
    internal static int Sequence(int baseSequence, int delta)
    {
        if (baseSequence < 0)
        {
            return -1;
        }

        return baseSequence > int.MaxValue - delta ? delta - (int.MaxValue - baseSequence) - 1 : baseSequence + delta;
    }

    private static string TimestampTypeName(in RecordBatchHeader header) => header.IsLogAppendTime ? "LogAppendTime" : "CreateTime";

    /// <summary>Kafka's <c>CompressionType.name</c>; ids 5–7 are not codecs.</summary>
    private static string CodecName(short attributes) => (attributes & RecordBatchHeader.CompressionMask) switch
    {
        0 => "none",
        1 => "gzip",
        2 => "snappy",
        3 => "lz4",
        4 => "zstd",
        5 => "unknown(5)",
        6 => "unknown(6)",
        _ => "unknown(7)",
    };
}
