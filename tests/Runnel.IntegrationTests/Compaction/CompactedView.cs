using System.Text;
using Confluent.Kafka;

namespace Runnel.IntegrationTests.Compaction;

/// <summary>One record as produced (offset from the delivery report) or as consumed.</summary>
public readonly record struct KeyedRecord(long Offset, string Key, string? Value);

/// <summary>
/// Produces keyed versions and tombstones to a compacted topic, reads it back with Confluent.Kafka,
/// and checks Kafka's compaction guarantees against what was produced.
/// </summary>
public static class CompactedView
{
    /// <summary>Produces every (key, value) in order to partition 0 and returns them with their offsets.</summary>
    public static List<KeyedRecord> Produce(IProducer<byte[]?, byte[]?> producer, string topic, IEnumerable<(string Key, string? Value)> records)
    {
        var produced = new List<KeyedRecord>();
        var pending = new List<(string Key, string? Value)>();
        var offsets = new Dictionary<int, long>();
        var failures = new List<string>();
        var index = 0;
        foreach (var (key, value) in records)
        {
            var i = index++;
            pending.Add((key, value));
            producer.Produce(new TopicPartition(topic, 0), new Message<byte[]?, byte[]?>
            {
                Key = Encoding.UTF8.GetBytes(key),
                Value = value is null ? null : Encoding.UTF8.GetBytes(value),
            }, report =>
            {
                lock (offsets)
                {
                    if (report.Error.IsError)
                    {
                        failures.Add(report.Error.Reason);
                    }
                    else
                    {
                        offsets[i] = report.Offset.Value;
                    }
                }
            });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        Assert.Empty(failures);
        for (var i = 0; i < pending.Count; i++)
        {
            produced.Add(new KeyedRecord(offsets[i], pending[i].Key, pending[i].Value));
        }

        return produced;
    }

    /// <summary>Reads partition 0 from the beginning through <paramref name="lastOffset"/>.</summary>
    public static List<KeyedRecord> ReadAll(string bootstrap, string topic, long lastOffset)
    {
        using var consumer = Clients.CreateConsumer(bootstrap);
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = new List<KeyedRecord>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (records.Count == 0 || records[^1].Offset < lastOffset)
        {
            Assert.True(DateTime.UtcNow < deadline, $"read {records.Count} records up to offset {(records.Count == 0 ? -1 : records[^1].Offset)}, not to {lastOffset}");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is { IsPartitionEOF: false, Message: not null })
            {
                var key = result.Message.Key is null ? "<null>" : Encoding.UTF8.GetString(result.Message.Key);
                var value = result.Message.Value is null ? null : Encoding.UTF8.GetString(result.Message.Value);
                records.Add(new KeyedRecord(result.Offset.Value, key, value));
            }
        }

        return records;
    }

    /// <summary>
    /// Kafka's guarantees for a log cleaned below <paramref name="firstDirtyOffset"/>: offsets strictly
    /// increase and are the ones produced (never renumbered, order kept); below the first dirty offset
    /// only the latest record of each key in that section is left (a newer one above it is not yet
    /// known to the cleaner), tombstones too when <paramref name="tombstonesExpired"/> is false and
    /// none when true; at and above it nothing was removed; the final value of every key is there.
    /// </summary>
    public static void AssertCompacted(IReadOnlyList<KeyedRecord> read, IReadOnlyList<KeyedRecord> produced, long firstDirtyOffset, bool tombstonesExpired)
    {
        var byOffset = produced.ToDictionary(static r => r.Offset);
        var latest = new Dictionary<string, KeyedRecord>();
        var latestClean = new Dictionary<string, KeyedRecord>();
        foreach (var record in produced)
        {
            latest[record.Key] = record;
            if (record.Offset < firstDirtyOffset)
            {
                latestClean[record.Key] = record;
            }
        }

        for (var i = 0; i < read.Count; i++)
        {
            var record = read[i];
            Assert.True(i == 0 || record.Offset > read[i - 1].Offset, $"offset {record.Offset} after {(i == 0 ? -1 : read[i - 1].Offset)}");
            Assert.True(byOffset.TryGetValue(record.Offset, out var original), $"offset {record.Offset} was never produced");
            Assert.Equal(original, record);
            if (record.Offset < firstDirtyOffset)
            {
                Assert.True(latestClean[record.Key].Offset == record.Offset, $"{record} is not the latest record of its key below {firstDirtyOffset} ({latestClean[record.Key]})");
                Assert.False(tombstonesExpired && record.Value is null, $"tombstone {record} outlived delete.retention.ms");
            }
        }

        var readOffsets = read.Select(static r => r.Offset).ToHashSet();
        Assert.All(produced.Where(r => r.Offset >= firstDirtyOffset), r => Assert.Contains(r.Offset, readOffsets));
        foreach (var (key, record) in latest)
        {
            var expected = record.Value is not null || !tombstonesExpired || record.Offset >= firstDirtyOffset;
            Assert.True(readOffsets.Contains(record.Offset) == expected, $"latest record of {key} ({record}) present: {!expected}");
        }
    }
}
