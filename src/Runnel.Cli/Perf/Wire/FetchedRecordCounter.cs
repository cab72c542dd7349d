using System.Buffers.Binary;
using Runnel.Protocol.Records;

namespace Runnel.Cli.Perf.Wire;

/// <summary>What <see cref="FetchedRecordCounter.Count"/> found in one partition's fetched bytes.</summary>
/// <param name="Records">Data records counted (at or after the fetch offset, not aborted, within the limit).</param>
/// <param name="Bytes">Their key and value bytes, as Kafka's consumer perf tool counts them.</param>
/// <param name="NextOffset">Where the next fetch of the partition starts: after the last whole batch read.</param>
internal readonly record struct FetchedCount(long Records, long Bytes, long NextOffset);

/// <summary>
/// Walks the record batches of one partition in a Fetch response the way a consumer delivers them,
/// without handing records to anyone: every whole batch is read (a partial one at the end, cut by the
/// byte limits, is left for the next fetch), its CRC checked if asked (<c>check.crcs</c>), its records
/// decompressed and iterated, and each data record at or after the fetch offset counted with its key
/// and value lengths. Control batches (transaction markers) are not records to a consumer, and with
/// <c>read_committed</c> the batches of aborted transactions are skipped (<see cref="AbortedTransactionFilter"/>).
/// </summary>
internal static class FetchedRecordCounter
{
    /// <summary>The most bytes one compressed batch may inflate to (a guard against a corrupt length, not a limit Kafka has).</summary>
    private const int MaxDecompressedBatchBytes = 256 * 1024 * 1024;

    /// <summary>Counts the records of <paramref name="batches"/>.</summary>
    /// <param name="batches">The partition's records field, v2 batches back to back.</param>
    /// <param name="fetchOffset">The offset the fetch asked for; records before it (a batch that starts earlier) are not counted.</param>
    /// <param name="maxRecords">Stop counting after this many (the run's remaining records).</param>
    /// <param name="checkCrc">Verify each batch's CRC-32C.</param>
    /// <param name="aborted">The partition's aborted transactions with <c>read_committed</c>; null with <c>read_uncommitted</c>.</param>
    /// <param name="sink">Given each counted record, in order; null to count only.</param>
    /// <exception cref="InvalidDataException">A batch is corrupt or not in the v2 format.</exception>
    public static FetchedCount Count(
        ReadOnlySpan<byte> batches, long fetchOffset, long maxRecords, bool checkCrc, AbortedTransactionFilter? aborted, IFetchedRecordSink? sink = null)
    {
        long records = 0;
        long bytes = 0;
        long nextOffset = fetchOffset;
        while (batches.Length >= RecordBatchHeader.Size && records < maxRecords)
        {
            int batchLength = BinaryPrimitives.ReadInt32BigEndian(batches[RecordBatchHeader.BatchLengthOffset..]);
            if (batchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
            {
                throw new InvalidDataException($"A batch at offset {BinaryPrimitives.ReadInt64BigEndian(batches)} declares {batchLength} bytes, fewer than a batch header.");
            }

            long totalSize = (long)batchLength + RecordBatchHeader.LogOverhead;
            if (totalSize > batches.Length)
            {
                break;
            }

            ReadOnlySpan<byte> batch = batches[..(int)totalSize];
            batches = batches[(int)totalSize..];
            RecordBatchHeader header = RecordBatchHeader.Read(batch);
            if (header.Magic != RecordBatchHeader.CurrentMagic)
            {
                throw new InvalidDataException($"The batch at offset {header.BaseOffset} has magic {header.Magic}: only v2 batches are read.");
            }

            if (checkCrc && !RecordBatchHeader.HasValidCrc(batch))
            {
                throw new InvalidDataException($"The batch at offset {header.BaseOffset} fails its CRC check (stored 0x{header.Crc:x8}, computed 0x{RecordBatchHeader.ComputeCrc(batch):x8}).");
            }

            if (header.LastOffset >= fetchOffset && !Skips(header, batch, aborted))
            {
                (long counted, long countedBytes) = CountRecords(header, batch, fetchOffset, maxRecords - records, sink);
                records += counted;
                bytes += countedBytes;
            }

            nextOffset = Math.Max(nextOffset, header.LastOffset + 1);
        }

        return new FetchedCount(records, bytes, nextOffset);
    }

    private static bool Skips(in RecordBatchHeader header, ReadOnlySpan<byte> batch, AbortedTransactionFilter? aborted)
    {
        if (header.IsControl)
        {
            aborted?.Control(header, IsAbortMarker(header, batch));
            return true;
        }

        return aborted is not null && aborted.Skips(header);
    }

    /// <summary>A control batch holds one record whose key is <c>version int16, type int16</c>.</summary>
    private static bool IsAbortMarker(in RecordBatchHeader header, ReadOnlySpan<byte> batch)
    {
        RecordReader reader = new(batch[RecordBatchHeader.Size..], header.RecordCount);
        if (!reader.MoveNext())
        {
            throw new InvalidDataException($"The control batch at offset {header.BaseOffset} holds no readable record: {reader.GetErrorMessage()}");
        }

        ReadOnlySpan<byte> key = reader.Current.Key;
        return key.Length >= 4 && BinaryPrimitives.ReadInt16BigEndian(key[2..]) == (short)ControlRecordType.Abort;
    }

    private static (long Records, long Bytes) CountRecords(
        in RecordBatchHeader header, ReadOnlySpan<byte> batch, long fetchOffset, long maxRecords, IFetchedRecordSink? sink)
    {
        ReadOnlySpan<byte> section = batch[RecordBatchHeader.Size..];
        if (header.Compression == CompressionType.None)
        {
            return CountSection(header, section, fetchOffset, maxRecords, sink);
        }

        using PooledBuffer inflated = CompressionCodec.Decompress(header.Compression, section, MaxDecompressedBatchBytes);
        return CountSection(header, inflated.Span, fetchOffset, maxRecords, sink);
    }

    private static (long Records, long Bytes) CountSection(
        in RecordBatchHeader header, ReadOnlySpan<byte> section, long fetchOffset, long maxRecords, IFetchedRecordSink? sink)
    {
        long records = 0;
        long bytes = 0;
        RecordReader reader = new(section, header.RecordCount);
        while (records < maxRecords && reader.MoveNext())
        {
            Record record = reader.Current;
            long offset = header.BaseOffset + record.OffsetDelta;
            if (offset >= fetchOffset)
            {
                records++;
                bytes += record.Key.Length + record.Value.Length;
                sink?.Deliver(offset, record.Key, record.Value);
            }
        }

        if (reader.Status is not (RecordReadStatus.Done or RecordReadStatus.Reading))
        {
            throw new InvalidDataException($"The batch at offset {header.BaseOffset} is malformed: {reader.GetErrorMessage()}");
        }

        return (records, bytes);
    }
}
