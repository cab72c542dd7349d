using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Time.Testing;
using Runnel.Broker;
using Runnel.Storage.Cleaner;
using Runnel.TestKit;
using StorageTopicPartition = Runnel.Storage.Log.TopicPartition;

namespace Runnel.IntegrationTests.Compaction;

/// <summary>
/// Log compaction end to end: Confluent.Kafka produces versions and tombstones to a compacted topic on
/// a broker whose cleaner runs every 50 ms, and reads the log back.
/// </summary>
public sealed class CompactionTests
{
    /// <summary>A cleaner that looks for work every 50 ms with a 1 MiB key map.</summary>
    public static readonly Dictionary<string, string> FastCleaner = new()
    {
        ["log.cleaner.backoff.ms"] = "50",
        ["log.cleaner.dedupe.buffer.size"] = "1048576",
        ["group.initial.rebalance.delay.ms"] = "0",
    };

    /// <summary><see cref="FastCleaner"/> with a one-partition <c>__consumer_offsets</c> of small segments, so a few hundred commits give the cleaner work.</summary>
    public static Dictionary<string, string> FastCleanerWithSmallOffsetsTopic() => new(FastCleaner)
    {
        ["offsets.topic.num.partitions"] = "1",
        ["offsets.topic.segment.bytes"] = "4096",
    };

    /// <summary>Small segments, any dirt worth a clean, no lag: the cleaner gets everything but the active segment.</summary>
    public static Dictionary<string, string> EagerCompaction(long deleteRetentionMs) => new()
    {
        ["cleanup.policy"] = "compact",
        ["segment.bytes"] = "4096",
        ["min.cleanable.dirty.ratio"] = "0.01",
        ["min.compaction.lag.ms"] = "0",
        ["delete.retention.ms"] = deleteRetentionMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    internal static CleanerPartitionStatus? Status(RunnelBroker broker, string topic, int partition = 0)
    {
        var logs = broker.Host.Logs;
        return logs.GetLog(new StorageTopicPartition(topic, partition)) is { } log ? logs.Cleaner?.Describe(log) : null;
    }

    /// <summary>Waits until the cleaner has cleaned everything below the active segment.</summary>
    internal static async Task<CleanerPartitionStatus> WaitUntilCleanAsync(RunnelBroker broker, string topic)
    {
        CleanerPartitionStatus? status = null;
        await Eventually.TrueAsync(
            () => (status = Status(broker, topic)) is { LastRun: not null, DirtyRatio: 0, FirstDirtyOffset: > 0 } s && s.FirstDirtyOffset == s.FirstUncleanableOffset,
            $"the cleaner cleans {topic} up to its active segment (last seen: {status})");
        return status!;
    }

    private static IEnumerable<(string Key, string? Value)> Versions(int keys, int rounds, string prefix = "v")
    {
        var random = new Random(42);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var k in Enumerable.Range(0, keys).OrderBy(_ => random.Next()))
            {
                yield return ($"key-{k:D3}", $"{prefix}{round}-of-key-{k:D3}");
            }
        }
    }

    [Fact]
    public async Task A_full_read_after_cleaning_has_the_latest_value_per_key_and_tombstones_go_after_delete_retention()
    {
        using var dir = new TempDirectory("compaction");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = new Dictionary<string, string>(FastCleaner)
        {
            // The fake clock jumps: idle connections would be closed under the clients.
            ["connections.max.idle.ms"] = "86400000",
        };
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path, Config = config, TimeProvider = time }, TestContext.Current.CancellationToken);
        const string Topic = "table";
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1, Configs = EagerCompaction(60_000) }]);
        }

        List<KeyedRecord> produced;
        using (var producer = Clients.CreateProducer(broker.BootstrapServers, c => { c.BatchSize = 1024; c.LingerMs = 0; }))
        {
            var records = Versions(keys: 100, rounds: 8).ToList();
            records.AddRange(Enumerable.Range(0, 20).Select(k => ($"key-{k:D3}", (string?)null)));
            // Later versions of other keys push the tombstones out of the active segment.
            records.AddRange(Versions(keys: 100, rounds: 3, prefix: "late").Where(r => string.CompareOrdinal(r.Key, "key-020") >= 0).Select(r => (r.Key, (string?)r.Value)));
            produced = CompactedView.Produce(producer, Topic, records);
        }

        var status = await WaitUntilCleanAsync(broker, Topic);
        var read = CompactedView.ReadAll(broker.BootstrapServers, Topic, produced[^1].Offset);
        CompactedView.AssertCompacted(read, produced, status.FirstDirtyOffset, tombstonesExpired: false);
        Assert.True(read.Count < produced.Count / 2, $"{read.Count} of {produced.Count} records left");
        Assert.Equal(20, read.Count(r => r.Value is null && r.Offset < status.FirstDirtyOffset));

        // Past delete.retention.ms on the broker's clock: a tombstone pass removes them.
        time.Advance(TimeSpan.FromSeconds(61));
        await Eventually.TrueAsync(
            () => !CompactedView.ReadAll(broker.BootstrapServers, Topic, produced[^1].Offset).Any(r => r.Value is null),
            "tombstones are removed once their delete horizon has passed");
        status = Status(broker, Topic)!;
        read = CompactedView.ReadAll(broker.BootstrapServers, Topic, produced[^1].Offset);
        CompactedView.AssertCompacted(read, produced, status.FirstDirtyOffset, tombstonesExpired: true);
        var finalValues = new Dictionary<string, string?>();
        foreach (var record in read)
        {
            finalValues[record.Key] = record.Value;
        }

        var expected = new Dictionary<string, string?>();
        foreach (var record in produced)
        {
            expected[record.Key] = record.Value;
        }

        Assert.Equal(expected.Where(e => e.Value is not null).OrderBy(e => e.Key), finalValues.OrderBy(e => e.Key));
    }

    [Fact]
    public async Task Changing_cleanup_policy_to_compact_at_runtime_starts_compaction()
    {
        using var dir = new TempDirectory("compaction");
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path, Config = FastCleaner }, TestContext.Current.CancellationToken);
        const string Topic = "becomes-a-table";
        using var admin = Clients.CreateAdmin(broker.BootstrapServers);
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = Topic,
            NumPartitions = 1,
            ReplicationFactor = 1,
            Configs = new Dictionary<string, string> { ["segment.bytes"] = "4096", ["min.cleanable.dirty.ratio"] = "0.01" },
        }]);
        List<KeyedRecord> produced;
        using (var producer = Clients.CreateProducer(broker.BootstrapServers, c => { c.BatchSize = 1024; c.LingerMs = 0; }))
        {
            produced = CompactedView.Produce(producer, Topic, Versions(keys: 50, rounds: 6).Select(r => (r.Key, (string?)r.Value)));
        }

        Assert.Null(Status(broker, Topic));
        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Topic, Name = Topic }] = [new ConfigEntry { Name = "cleanup.policy", Value = "compact", IncrementalOperation = AlterConfigOpType.Set }],
        });

        var status = await WaitUntilCleanAsync(broker, Topic);
        var read = CompactedView.ReadAll(broker.BootstrapServers, Topic, produced[^1].Offset);
        CompactedView.AssertCompacted(read, produced, status.FirstDirtyOffset, tombstonesExpired: false);
        Assert.True(read.Count < produced.Count / 2, $"{read.Count} of {produced.Count} records left");
    }

    [Fact]
    public async Task A_record_without_a_key_is_rejected_by_a_compacted_topic()
    {
        using var dir = new TempDirectory("compaction");
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path, Config = FastCleaner }, TestContext.Current.CancellationToken);
        const string Topic = "keyed-only";
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1, Configs = EagerCompaction(1000) }]);
        }

        using var producer = Clients.CreateProducer(broker.BootstrapServers);
        var error = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(
            () => producer.ProduceAsync(Topic, new Message<byte[]?, byte[]?> { Value = "no key"u8.ToArray() }));

        Assert.Equal(ErrorCode.InvalidRecord, error.Error.Code);
        var keyed = await producer.ProduceAsync(Topic, new Message<byte[]?, byte[]?> { Key = "k"u8.ToArray(), Value = "v"u8.ToArray() });
        Assert.Equal(0, keyed.Offset.Value);
    }

    [Fact]
    public async Task Consumer_offsets_are_compacted_and_the_group_state_survives_a_restart()
    {
        using var dir = new TempDirectory("compaction");
        var options = new RunnelBrokerOptions { DataDirectory = dir.Path, Config = FastCleanerWithSmallOffsetsTopic() };
        const string Topic = "orders";
        const string Group = "compacted-group";
        const int Commits = 400;
        await using (var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 2, ReplicationFactor = 1 }]);
            for (var i = 1; i <= Commits; i++)
            {
                await Groups.GroupDeletionTests.CommitAsync(admin, Group, new TopicPartitionOffset(Topic, 0, i), new TopicPartitionOffset(Topic, 1, 2 * i));
            }

            // __consumer_offsets keeps Kafka's min.cleanable.dirty.ratio (0.5): wait for a clean past half
            // the commits that left too little dirt for another, so the log stays as it is while we read.
            CleanerPartitionStatus? status = null;
            await Eventually.TrueAsync(
                () => (status = Status(broker, "__consumer_offsets")) is { LastRun: not null, InProgress: false, DirtyRatio: <= 0.5 } s && s.FirstDirtyOffset > Commits,
                $"the cleaner compacts __consumer_offsets-0 (last seen: {status})");

            // Below the first dirty offset only the latest record of each key there is left: the two
            // offset keys, and at most the group's own record.
            var below = CountRecords(broker.BootstrapServers, "__consumer_offsets", status!.FirstDirtyOffset);
            Assert.InRange(below, 2, 3);
        }

        await using (var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            Assert.Equal(Commits, (await Groups.GroupDeletionTests.CommittedAsync(admin, Group, new TopicPartition(Topic, 0))).Offset.Value);
            Assert.Equal(2 * Commits, (await Groups.GroupDeletionTests.CommittedAsync(admin, Group, new TopicPartition(Topic, 1))).Offset.Value);
        }
    }

    /// <summary>Records of <paramref name="topic"/>-0 below <paramref name="end"/>, read with a plain consumer (internal topics are readable).</summary>
    private static int CountRecords(string bootstrap, string topic, long end)
    {
        using var consumer = Clients.CreateConsumer(bootstrap);
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var count = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is { IsPartitionEOF: false, Message: not null })
            {
                if (result.Offset.Value >= end)
                {
                    return count;
                }

                count++;
            }
        }

        throw new TimeoutException($"did not reach offset {end} of {topic}-0 (read {count} records)");
    }
}

