using System.Text;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>Keyed batches for compaction tests, and a reader that decodes every record of a log.</summary>
internal static class KeyedLog
{
    public static byte[] Batch(IEnumerable<(string? Key, string? Value)> records, long timestamp = 1_000, CompressionType compression = CompressionType.None)
    {
        var builder = new RecordBatchBuilder { Compression = compression };
        foreach (var (key, value) in records)
        {
            builder.Append(timestamp, key is null ? null : Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        }

        return builder.ToArray();
    }

    /// <summary>Appends a batch and returns the offsets its records got, with their keys and values.</summary>
    public static List<StoredRecord> Append(PartitionLog log, long timestamp, CompressionType compression, params (string? Key, string? Value)[] records)
    {
        var result = log.Append(Batch(records, timestamp, compression), leaderEpoch: 1, useLogAppendTime: false);
        var stored = new List<StoredRecord>();
        for (var i = 0; i < records.Length; i++)
        {
            stored.Add(new StoredRecord(result.FirstOffset + i, records[i].Key, records[i].Value, result.FirstOffset, result.LastOffset));
        }

        return stored;
    }

    public static List<StoredRecord> Append(PartitionLog log, params (string? Key, string? Value)[] records) =>
        Append(log, 1_000, CompressionType.None, records);

    /// <summary>Every batch header and record from the log start offset to the log end offset.</summary>
    public static (List<RecordBatchHeader> Batches, List<StoredRecord> Records) ReadAll(PartitionLog log)
    {
        var batches = new List<RecordBatchHeader>();
        var records = new List<StoredRecord>();
        var next = log.LogStartOffset;
        while (next < log.LogEndOffset)
        {
            using var result = log.Read(next, 1 << 20, long.MaxValue, minOneBatch: true);
            Assert.Equal(LogError.None, result.Error);
            if (result.Records is null)
            {
                break;
            }

            var data = result.Data.Span;
            while (data.Length > 0)
            {
                var header = RecordBatchHeader.Read(data);
                var batch = data[..header.TotalSize];
                Assert.True(RecordBatchHeader.HasValidCrc(batch), $"CRC of the batch at offset {header.BaseOffset}");
                data = data[header.TotalSize..];
                batches.Add(header);
                Decode(batch, header, records);
                next = header.LastOffset + 1;
            }
        }

        return (batches, records);
    }

    private static void Decode(ReadOnlySpan<byte> batch, RecordBatchHeader header, List<StoredRecord> records)
    {
        using var decompressed = header.Compression == CompressionType.None
            ? null
            : CompressionCodec.Decompress(header.Compression, batch[RecordBatchHeader.Size..], 64 << 20);
        var reader = new RecordReader(decompressed is null ? batch[RecordBatchHeader.Size..] : decompressed.Span, header.RecordCount);
        while (reader.MoveNext())
        {
            var record = reader.Current;
            records.Add(new StoredRecord(
                header.BaseOffset + record.OffsetDelta,
                record.HasKey ? Encoding.UTF8.GetString(record.Key) : null,
                record.HasValue ? Encoding.UTF8.GetString(record.Value) : null,
                header.BaseOffset,
                header.LastOffset));
        }

        Assert.Equal(RecordReadStatus.Done, reader.Status);
    }

    /// <summary>
    /// The invariants every cleaned log keeps against what was appended: offsets strictly increase,
    /// each record is exactly the one appended at its offset, the latest record of every key survives
    /// (a tombstone may be gone, and then so is the key), and nothing older than a key's surviving
    /// latest record remains below <paramref name="cleanEnd"/> (each key at most once there, its latest version below it).
    /// </summary>
    public static void AssertCompacted(List<StoredRecord> actual, IReadOnlyList<StoredRecord> appended, long cleanEnd)
    {
        var byOffset = appended.ToDictionary(r => r.Offset);
        var latest = new Dictionary<string, StoredRecord>();
        var latestBelowCleanEnd = new Dictionary<string, StoredRecord>();
        foreach (var record in appended)
        {
            if (record.Key is not null)
            {
                latest[record.Key] = record;
                if (record.Offset < cleanEnd)
                {
                    latestBelowCleanEnd[record.Key] = record;
                }
            }
        }

        var previous = -1L;
        var seenBelowCleanEnd = new HashSet<string>();
        foreach (var record in actual)
        {
            Assert.True(record.Offset > previous, $"offset {record.Offset} after {previous}");
            previous = record.Offset;
            var original = byOffset[record.Offset];
            Assert.Equal(original.Key, record.Key);
            Assert.Equal(original.Value, record.Value);
            if (record.Offset < cleanEnd)
            {
                Assert.NotNull(record.Key);
                Assert.True(seenBelowCleanEnd.Add(record.Key!), $"key {record.Key} twice below the clean end {cleanEnd}");
                Assert.Equal(latestBelowCleanEnd[record.Key!].Offset, record.Offset);
            }
        }

        var survivors = actual.Where(r => r.Key is not null).GroupBy(r => r.Key!).ToDictionary(g => g.Key, g => g.Last());
        foreach (var (key, last) in latest)
        {
            if (survivors.TryGetValue(key, out var survivor))
            {
                Assert.Equal(last.Offset, survivor.Offset);
            }
            else
            {
                Assert.True(last.Value is null, $"the latest value of key {key} (offset {last.Offset}) is missing");
            }
        }
    }
}
