using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.Storage.Cleaner;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Compaction;

/// <summary>
/// Compaction of logs with transactions, end to end: a Confluent.Kafka transactional producer commits
/// and aborts transactions over keys plain producers write too, the broker's cleaner compacts, and
/// read_committed and read_uncommitted consumers find no aborted value and the latest committed value
/// of every key; transactional offsets in a compacted <c>__consumer_offsets</c> replay to the
/// committed ones after a restart.
/// </summary>
public sealed class TransactionalCompactionTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static IProducer<byte[]?, byte[]?> TransactionalProducer(string bootstrap, string transactionalId) =>
        Clients.CreateProducer(bootstrap, c =>
        {
            c.TransactionalId = transactionalId;
            c.EnableIdempotence = true;
            c.TransactionTimeoutMs = 60_000;
            c.LingerMs = 0;
            c.BatchSize = 1024;
        });

    private static Message<byte[]?, byte[]?> Message(string key, string value) =>
        new() { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) };

    /// <summary>Produces the records concurrently and returns them with their offsets, in offset order.</summary>
    private static async Task<List<KeyedRecord>> ProduceAsync(IProducer<byte[]?, byte[]?> producer, string topic, IEnumerable<(string Key, string Value)> records)
    {
        var sent = records.Select(async r => new KeyedRecord((await producer.ProduceAsync(new TopicPartition(topic, 0), Message(r.Key, r.Value), Cancel)).Offset.Value, r.Key, r.Value));
        return [.. (await Task.WhenAll(sent)).OrderBy(r => r.Offset)];
    }

    /// <summary>Partition 0 of <paramref name="topic"/> from the beginning to its end for a consumer with <paramref name="isolation"/>.</summary>
    private static List<KeyedRecord> ReadToEnd(string bootstrap, string topic, IsolationLevel isolation)
    {
        using var consumer = Clients.CreateConsumer(bootstrap, c =>
        {
            c.IsolationLevel = isolation;
            c.EnablePartitionEof = true;
        });
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = new List<KeyedRecord>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{isolation} read {records.Count} records and did not reach the end of {topic}-0");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is { IsPartitionEOF: true })
            {
                return records;
            }

            if (result?.Message is { } message)
            {
                records.Add(new KeyedRecord(result.Offset.Value, Encoding.UTF8.GetString(message.Key!), message.Value is null ? null : Encoding.UTF8.GetString(message.Value)));
            }
        }
    }

    [Fact]
    public async Task After_the_cleaner_runs_no_consumer_sees_an_aborted_value_and_every_key_keeps_its_latest_committed_value()
    {
        using var dir = new TempDirectory("txn-compaction");
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path, Config = CompactionTests.FastCleaner }, Cancel);
        const string Topic = "balances";
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1, Configs = CompactionTests.EagerCompaction(60_000) }]);
        }

        using var plain = Clients.CreateProducer(broker.BootstrapServers, c => { c.LingerMs = 0; c.BatchSize = 1024; });
        using var producer = TransactionalProducer(broker.BootstrapServers, "balances-writer");
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        var committed = new List<KeyedRecord>();
        var aborted = new List<KeyedRecord>();
        const int Keys = 20;
        for (var transaction = 0; transaction < 24; transaction++)
        {
            // Every third transaction aborts: its values come after committed ones of the same keys.
            var aborts = transaction % 3 == 1;
            producer.BeginTransaction();
            var written = await ProduceAsync(producer, Topic, Enumerable.Range(0, Keys).Select(k => ($"key-{k:D2}", $"{(aborts ? "aborted" : "committed")}-{transaction}-key-{k:D2}")));
            if (aborts)
            {
                producer.AbortTransaction(TimeSpan.FromSeconds(30));
                aborted.AddRange(written);
            }
            else
            {
                producer.CommitTransaction(TimeSpan.FromSeconds(30));
                committed.AddRange(written);
            }

            // Plain records overlap a quarter of the keys between transactions.
            committed.AddRange(await ProduceAsync(plain, Topic, Enumerable.Range(0, Keys).Where(k => k % 4 == transaction % 4).Select(k => ($"key-{k:D2}", $"plain-{transaction}-key-{k:D2}"))));
        }

        // A last committed transaction over half the keys and an aborted one over all: the other half's
        // latest committed values come before an aborted value, which must not replace them. Then
        // larger unique records roll the segment, so every aborted record lies below the active one.
        producer.BeginTransaction();
        committed.AddRange(await ProduceAsync(producer, Topic, Enumerable.Range(0, Keys).Where(k => k % 2 == 0).Select(k => ($"key-{k:D2}", $"committed-last-key-{k:D2}"))));
        producer.CommitTransaction(TimeSpan.FromSeconds(30));
        producer.BeginTransaction();
        aborted.AddRange(await ProduceAsync(producer, Topic, Enumerable.Range(0, Keys).Select(k => ($"key-{k:D2}", $"aborted-last-key-{k:D2}"))));
        producer.AbortTransaction(TimeSpan.FromSeconds(30));
        foreach (var filler in Enumerable.Range(0, 6))
        {
            committed.AddRange(await ProduceAsync(plain, Topic, [($"filler-{filler}", new string('f', 1_000))]));
        }

        var status = await CompactionTests.WaitUntilCleanAsync(broker, Topic);
        Assert.True(status.FirstDirtyOffset > aborted.Max(r => r.Offset), $"the clean reached {status.FirstDirtyOffset}, the last aborted record is at {aborted.Max(r => r.Offset)}");

        committed.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        foreach (var isolation in (IsolationLevel[])[IsolationLevel.ReadCommitted, IsolationLevel.ReadUncommitted])
        {
            var read = ReadToEnd(broker.BootstrapServers, Topic, isolation);
            Assert.DoesNotContain(read, r => r.Value!.StartsWith("aborted", StringComparison.Ordinal));

            // Offsets are the produced ones, only the latest committed record of each key is left in
            // the cleaned section, nothing above it was removed, and every key ends at its last value.
            CompactedView.AssertCompacted(read, committed, status.FirstDirtyOffset, tombstonesExpired: false);
            Assert.True(read.Count < (committed.Count + aborted.Count) / 4, $"{isolation}: {read.Count} records left");
        }
    }

    [Fact]
    public async Task Transactional_offsets_in_a_compacted_consumer_offsets_replay_to_the_committed_ones_after_a_restart()
    {
        using var dir = new TempDirectory("txn-offsets-compaction");
        var options = new RunnelBrokerOptions { DataDirectory = dir.Path, Config = CompactionTests.FastCleanerWithSmallOffsetsTopic() };
        const string Topic = "orders";
        const string Group = "order-processor";
        const long LastCommitted = 500;
        var input = new TopicPartition(Topic, 0);
        await using (var broker = await RunnelBroker.StartAsync(options, Cancel))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1 }]);
            using var consumer = Clients.CreateConsumer(broker.BootstrapServers, c => c.GroupId = Group);
            consumer.Assign(new TopicPartitionOffset(input, Offset.Beginning));
            using var producer = TransactionalProducer(broker.BootstrapServers, "order-processor-1");
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            void SendOffset(long offset, bool commit)
            {
                producer.BeginTransaction();
                producer.SendOffsetsToTransaction([new TopicPartitionOffset(input, offset)], consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(30));
                if (commit)
                {
                    producer.CommitTransaction(TimeSpan.FromSeconds(30));
                }
                else
                {
                    producer.AbortTransaction(TimeSpan.FromSeconds(30));
                }
            }

            // Committed and aborted offsets of the same key, then the last committed one followed only
            // by aborted ones: compaction must not let an aborted later record replace it.
            for (var i = 1; i <= 40; i++)
            {
                SendOffset(i % 2 == 0 ? i : 1_000_000 + i, commit: i % 2 == 0);
            }

            SendOffset(LastCommitted, commit: true);
            for (var i = 1; i <= 30; i++)
            {
                SendOffset(2_000_000 + i, commit: false);
            }

            long transactionsEnd;
            using (var reader = Clients.CreateConsumer(broker.BootstrapServers))
            {
                transactionsEnd = reader.QueryWatermarkOffsets(new TopicPartition("__consumer_offsets", 0), TimeSpan.FromSeconds(10)).High.Value;
            }

            // Another group's plain commits move the transactions out of the active segment and make
            // enough dirt for __consumer_offsets' min.cleanable.dirty.ratio (0.5).
            for (var i = 1; i <= 120; i++)
            {
                await Groups.GroupDeletionTests.CommitAsync(admin, "filler-group", new TopicPartitionOffset(input, i));
            }

            CleanerPartitionStatus? status = null;
            await Eventually.TrueAsync(
                () => (status = CompactionTests.Status(broker, "__consumer_offsets")) is { LastRun: not null, InProgress: false } s && s.FirstDirtyOffset >= transactionsEnd,
                $"the cleaner compacts __consumer_offsets-0 past the transactions at {transactionsEnd} (last seen: {status})");
            Assert.Equal(LastCommitted, (await Groups.GroupDeletionTests.CommittedAsync(admin, Group, input)).Offset.Value);
        }

        await using (var broker = await RunnelBroker.StartAsync(options, Cancel))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            Assert.Equal(LastCommitted, (await Groups.GroupDeletionTests.CommittedAsync(admin, Group, input)).Offset.Value);
        }
    }
}
