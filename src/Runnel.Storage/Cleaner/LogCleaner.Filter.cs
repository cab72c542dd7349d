using System.Buffers;
using System.Buffers.Binary;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Storage.Cleaner;

public sealed partial class LogCleaner
{
    /// <summary>
    /// Kafka's <c>MemoryRecords.filterTo</c> with the cleaner's <c>shouldRetainRecord</c>: carries out
    /// <paramref name="action"/> by writing the batch to <paramref name="output"/> unchanged when every
    /// record stays (and no delete horizon must be set), rebuilt with only the surviving records (same
    /// base and last offset, same codec) when some go or a horizon is stamped, as an empty header when
    /// none stay but it <paramref name="mustRemain"/>, or not at all.
    /// </summary>
    private void FilterBatch(
        LogSegment segment, ReadOnlySpan<byte> batch, in RecordBatchHeader header, CleanerBatchAction action, bool mustRemain, long nowMs,
        LogConfig config, ArrayBufferWriter<byte> output, Totals totals)
    {
        totals.RecordsRead += header.RecordCount;
        if (action == CleanerBatchAction.Keep)
        {
            totals.RecordsKept += header.RecordCount;
            output.Write(batch);
            return;
        }

        if (action == CleanerBatchAction.Discard || header.RecordCount == 0)
        {
            if (mustRemain)
            {
                WriteEmptyBatch(batch, output);
            }

            return;
        }

        // A marker waiting for its delete horizon keeps its record; data keeps what the map allows.
        var isMarker = action == CleanerBatchAction.KeepUntilDeleteHorizon;

        using var decompressed = Decompress(segment, batch, header);
        var section = decompressed is null ? batch[RecordBatchHeader.Size..] : decompressed.Span;

        // Pass 1: which records stay. Kept records' byte ranges are remembered in a pooled list.
        var ranges = ArrayPool<(int Start, int Length)>.Shared.Rent(Math.Max(1, header.RecordCount));
        try
        {
            var kept = 0;
            var containsTombstone = false;
            var maxTimestamp = -1L;
            var reader = new RecordReader(section, header.RecordCount);
            var start = 0;
            while (reader.MoveNext())
            {
                var record = reader.Current;
                var offset = header.BaseOffset + record.OffsetDelta;
                if (isMarker || ShouldRetainRecord(record, offset, header, nowMs))
                {
                    ranges[kept++] = (start, reader.Position - start);
                    containsTombstone |= !isMarker && !record.HasValue;
                    maxTimestamp = Math.Max(maxTimestamp, header.BaseTimestamp + record.TimestampDelta);
                }

                start = reader.Position;
            }

            if (reader.Status != RecordReadStatus.Done)
            {
                ThrowCorruptBatch(segment, header.BaseOffset, reader.GetErrorMessage());
            }

            totals.RecordsKept += kept;
            var holdsHorizon = containsTombstone || isMarker;
            var setHorizon = holdsHorizon && !header.HasDeleteHorizon;
            if (holdsHorizon)
            {
                var keptHorizon = setHorizon ? DeleteHorizon(nowMs, config.DeleteRetentionMs) : header.BaseTimestamp;
                totals.EarliestDeleteHorizonMs = totals.EarliestDeleteHorizonMs < 0 ? keptHorizon : Math.Min(totals.EarliestDeleteHorizonMs, keptHorizon);
            }

            // KIP-534: the first clean that keeps a tombstone or an unneeded marker stamps the batch's
            // delete horizon; it goes in the first clean at or after it.
            if (kept == header.RecordCount && !setHorizon)
            {
                output.Write(batch);
            }
            else if (kept == 0)
            {
                if (mustRemain)
                {
                    WriteEmptyBatch(batch, output);
                }
            }
            else
            {
                var horizon = setHorizon ? DeleteHorizon(nowMs, config.DeleteRetentionMs) : -1;
                WriteFilteredBatch(batch, header, section, ranges.AsSpan(0, kept), horizon, maxTimestamp, output);
            }
        }
        finally
        {
            ArrayPool<(int, int)>.Shared.Return(ranges);
        }
    }

    /// <summary>
    /// Kafka's <c>shouldRetainRecord</c>: a record stays when it has a key, no later offset of that key
    /// is in the map (keys beyond the mapped range are not in it), and it has a value or is a tombstone
    /// whose batch has no delete horizon yet or one still in the future.
    /// </summary>
    private bool ShouldRetainRecord(in Record record, long offset, in RecordBatchHeader header, long nowMs)
    {
        if (!record.HasKey)
        {
            // Compacted topics need keys; Kafka drops keyless records when cleaning.
            return false;
        }

        if (offset < Map.Get(record.Key))
        {
            return false;
        }

        return record.HasValue || !header.HasDeleteHorizon || nowMs < header.BaseTimestamp;
    }

    /// <summary>
    /// A batch with only the records in <paramref name="kept"/>: the original header with new length,
    /// record count, max timestamp (CreateTime: the largest kept), attributes and CRC. With a
    /// <paramref name="deleteHorizon"/> (≥ 0) the base timestamp becomes the horizon and the
    /// delete-horizon attribute is set (KIP-534), so each record's timestamp delta is rewritten;
    /// otherwise the records are copied byte for byte. The record section is recompressed with the
    /// batch's codec.
    /// </summary>
    private static void WriteFilteredBatch(
        ReadOnlySpan<byte> batch, in RecordBatchHeader header, ReadOnlySpan<byte> section, ReadOnlySpan<(int Start, int Length)> kept,
        long deleteHorizon, long keptMaxTimestamp, ArrayBufferWriter<byte> output)
    {
        var records = new ArrayBufferWriter<byte>(section.Length);
        var baseTimestamp = deleteHorizon >= 0 ? deleteHorizon : header.BaseTimestamp;
        foreach (var (start, length) in kept)
        {
            var raw = section.Slice(start, length);
            if (deleteHorizon < 0)
            {
                records.Write(raw);
                continue;
            }

            // [length varint][attributes int8][timestampDelta varlong][rest: offsetDelta, key, value, headers]
            RecordVarint.TryReadVarint(raw, out _, out var prefix);
            var body = raw[prefix..];
            RecordVarint.TryReadVarlong(body[1..], out var timestampDelta, out var deltaSize);
            var rest = body[(1 + deltaSize)..];
            var newDelta = header.BaseTimestamp + timestampDelta - baseTimestamp;
            var newBodySize = 1 + RecordVarint.SizeOfVarlong(newDelta) + rest.Length;
            var span = records.GetSpan(RecordVarint.MaxVarintLength + newBodySize);
            RecordVarint.TryWriteVarint(span, newBodySize, out var written);
            span[written++] = body[0];
            RecordVarint.TryWriteVarlong(span[written..], newDelta, out var deltaWritten);
            written += deltaWritten;
            rest.CopyTo(span[written..]);
            records.Advance(written + rest.Length);
        }

        ReadOnlySpan<byte> payload = records.WrittenSpan;
        if (header.Compression != CompressionType.None)
        {
            var compressed = new ArrayBufferWriter<byte>(Math.Max(256, payload.Length));
            CompressionCodec.Compress(header.Compression, payload, compressed);
            payload = compressed.WrittenSpan;
        }

        var size = RecordBatchHeader.Size + payload.Length;
        var destination = output.GetSpan(size)[..size];
        batch[..RecordBatchHeader.Size].CopyTo(destination);
        payload.CopyTo(destination[RecordBatchHeader.Size..]);
        var attributes = header.Attributes;
        if (deleteHorizon >= 0)
        {
            attributes |= RecordBatchHeader.DeleteHorizonFlag;
        }

        var maxTimestamp = header.IsLogAppendTime ? header.MaxTimestamp : keptMaxTimestamp;
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordBatchHeader.BatchLengthOffset..], size - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt16BigEndian(destination[RecordBatchHeader.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(destination[RecordBatchHeader.BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[RecordBatchHeader.MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordBatchHeader.RecordCountOffset..], kept.Length);
        RecordBatchHeader.UpdateCrc(destination);
        output.Advance(size);
    }

    /// <summary>
    /// The batch as an empty batch (Kafka's <c>writeEmptyHeader</c>): same base offset, last offset
    /// delta, producer fields and partition leader epoch; no records, no compression, no delete
    /// horizon; base and max timestamp the original max timestamp.
    /// </summary>
    private static void WriteEmptyBatch(ReadOnlySpan<byte> batch, ArrayBufferWriter<byte> output)
    {
        var destination = output.GetSpan(RecordBatchHeader.Size)[..RecordBatchHeader.Size];
        batch[..RecordBatchHeader.Size].CopyTo(destination);
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
        attributes &= ~(RecordBatchHeader.CompressionMask | RecordBatchHeader.DeleteHorizonFlag);
        var maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..]);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordBatchHeader.BatchLengthOffset..], RecordBatchHeader.Size - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt16BigEndian(destination[RecordBatchHeader.AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(destination[RecordBatchHeader.BaseTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordBatchHeader.RecordCountOffset..], 0);
        RecordBatchHeader.UpdateCrc(destination);
        output.Advance(RecordBatchHeader.Size);
    }

    /// <summary>now + delete.retention.ms, saturating: Long.MaxValue ("keep tombstones forever") must not wrap to the past.</summary>
    private static long DeleteHorizon(long nowMs, long deleteRetentionMs) =>
        deleteRetentionMs > long.MaxValue - nowMs ? long.MaxValue : nowMs + deleteRetentionMs;
}
