using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Transactions;

/// <summary>
/// Transactions end to end with Confluent.Kafka (librdkafka): committed records are visible to
/// read_committed consumers and aborted ones only to read_uncommitted; a second producer with the
/// same transactional id fences the first; offsets sent to a transaction move the group only when
/// it commits.
/// </summary>
public sealed class TransactionTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<RunnelBroker> StartAsync(string dataDirectory, Dictionary<string, string>? settings = null) =>
        await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dataDirectory, Config = settings ?? [] }, Cancel);

    private static async Task CreateTopicsAsync(RunnelBroker broker, params string[] topics)
    {
        using var admin = Clients.CreateAdmin(broker.BootstrapServers);
        await admin.CreateTopicsAsync(topics.Select(t => new TopicSpecification { Name = t, NumPartitions = 2, ReplicationFactor = 1 }));
    }

    private static IProducer<byte[]?, byte[]?> TransactionalProducer(RunnelBroker broker, string transactionalId) =>
        Clients.CreateProducer(broker.BootstrapServers, c =>
        {
            c.TransactionalId = transactionalId;
            c.EnableIdempotence = true;
            c.TransactionTimeoutMs = 60_000;
        });

    private static Message<byte[]?, byte[]?> Message(string value) =>
        new() { Key = Encoding.UTF8.GetBytes(value), Value = Encoding.UTF8.GetBytes(value) };

    /// <summary>Every data record of the topic, as a consumer with <paramref name="isolation"/> reads it until it reaches the end of each partition.</summary>
    internal static List<string> ReadAll(RunnelBroker broker, string topic, IsolationLevel isolation, int partitions = 2) => ReadAll(broker.BootstrapServers, topic, isolation, partitions);

    /// <summary>The same, against any broker.</summary>
    internal static List<string> ReadAll(string bootstrap, string topic, IsolationLevel isolation, int partitions = 2)
    {
        using var consumer = Clients.CreateConsumer(bootstrap, c =>
        {
            c.IsolationLevel = isolation;
            c.EnablePartitionEof = true;
        });
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var values = new List<string>();
        var ended = new HashSet<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (ended.Count < partitions && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
                continue;
            }

            values.Add(Encoding.UTF8.GetString(result.Message.Value!));
        }

        Assert.Equal(partitions, ended.Count);
        values.Sort(StringComparer.Ordinal);
        return values;
    }

    [Fact]
    public async Task Committed_transactions_are_visible_to_read_committed_consumers_and_aborted_ones_only_to_read_uncommitted()
    {
        using var dir = new TempDirectory("txn");
        await using var broker = await StartAsync(dir.Path);
        await CreateTopicsAsync(broker, "payments");
        using var producer = TransactionalProducer(broker, "payments-writer");
        producer.InitTransactions(TimeSpan.FromSeconds(30));

        var committed = new List<string>();
        var all = new List<string>();
        for (var transaction = 0; transaction < 6; transaction++)
        {
            producer.BeginTransaction();
            for (var i = 0; i < 5; i++)
            {
                var value = $"t{transaction}-{i}";
                all.Add(value);
                producer.Produce("payments", Message(value));
            }

            if (transaction % 3 == 1)
            {
                // Delivered first, so the aborted records are in the log (an abort purges what is still queued).
                producer.Flush(TimeSpan.FromSeconds(30));
                producer.AbortTransaction(TimeSpan.FromSeconds(30));
            }
            else
            {
                producer.CommitTransaction(TimeSpan.FromSeconds(30));
                committed.AddRange(all.TakeLast(5));
            }
        }

        committed.Sort(StringComparer.Ordinal);
        all.Sort(StringComparer.Ordinal);
        Assert.Equal(committed, ReadAll(broker, "payments", IsolationLevel.ReadCommitted));
        Assert.Equal(all, ReadAll(broker, "payments", IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public async Task A_second_producer_with_the_same_transactional_id_fences_the_first_and_its_open_transaction_is_aborted()
    {
        using var dir = new TempDirectory("txn-fence");
        await using var broker = await StartAsync(dir.Path);
        await CreateTopicsAsync(broker, "ledger");
        using var zombie = TransactionalProducer(broker, "ledger-writer");
        zombie.InitTransactions(TimeSpan.FromSeconds(30));
        zombie.BeginTransaction();
        await zombie.ProduceAsync("ledger", Message("from the zombie"), Cancel);

        using var successor = TransactionalProducer(broker, "ledger-writer");
        successor.InitTransactions(TimeSpan.FromSeconds(30));
        successor.BeginTransaction();
        await successor.ProduceAsync("ledger", Message("from the successor"), Cancel);
        successor.CommitTransaction(TimeSpan.FromSeconds(30));

        var fenced = Assert.ThrowsAny<KafkaException>(() => zombie.CommitTransaction(TimeSpan.FromSeconds(30)));
        Assert.True(fenced.Error.IsFatal || fenced is KafkaTxnRequiresAbortException, $"expected a fatal or abortable error, got {fenced.Error}");

        Assert.Equal(["from the successor"], ReadAll(broker, "ledger", IsolationLevel.ReadCommitted));
        Assert.Equal(["from the successor", "from the zombie"], ReadAll(broker, "ledger", IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public async Task Offsets_sent_to_a_transaction_move_the_group_only_when_it_commits()
    {
        using var dir = new TempDirectory("txn-offsets");
        await using var broker = await StartAsync(dir.Path);
        await CreateTopicsAsync(broker, "in", "out");
        using (var plain = Clients.CreateProducer(broker.BootstrapServers))
        {
            for (var i = 0; i < 20; i++)
            {
                await plain.ProduceAsync(new TopicPartition("in", i % 2), Message($"in-{i:D2}"), Cancel);
            }
        }

        const string Group = "transformer";
        using var consumer = Clients.CreateConsumer(broker.BootstrapServers, c =>
        {
            c.GroupId = Group;
            c.IsolationLevel = IsolationLevel.ReadCommitted;
        });
        consumer.Assign([new TopicPartitionOffset("in", 0, Offset.Beginning), new TopicPartitionOffset("in", 1, Offset.Beginning)]);
        using var producer = TransactionalProducer(broker, "transformer-1");
        producer.InitTransactions(TimeSpan.FromSeconds(30));

        // First transaction: transform 20 records, send offsets, abort. Nothing moves.
        var inputs = Clients.ConsumeExactly(consumer, 20);
        producer.BeginTransaction();
        foreach (var input in inputs)
        {
            producer.Produce("out", Message("aborted-" + Encoding.UTF8.GetString(input.Message.Value!)));
        }

        producer.SendOffsetsToTransaction(Positions(inputs), consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(30));
        producer.Flush(TimeSpan.FromSeconds(30));
        producer.AbortTransaction(TimeSpan.FromSeconds(30));
        Assert.All(Committed(consumer), c => Assert.Equal(Offset.Unset, c.Offset));

        // Second transaction: the same input again, committed. The group now stands after it.
        producer.BeginTransaction();
        foreach (var input in inputs)
        {
            producer.Produce("out", Message("done-" + Encoding.UTF8.GetString(input.Message.Value!)));
        }

        producer.SendOffsetsToTransaction(Positions(inputs), consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(30));
        producer.CommitTransaction(TimeSpan.FromSeconds(30));

        Assert.Equal([10L, 10L], Committed(consumer).Select(c => c.Offset.Value));
        var output = ReadAll(broker, "out", IsolationLevel.ReadCommitted);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"done-in-{i:D2}").Order(StringComparer.Ordinal), output);
    }

    private static List<TopicPartitionOffset> Positions(List<ConsumeResult<byte[]?, byte[]?>> consumed) =>
        consumed.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1)).ToList();

    private static List<TopicPartitionOffset> Committed(IConsumer<byte[]?, byte[]?> consumer) =>
        consumer.Committed([new TopicPartition("in", 0), new TopicPartition("in", 1)], TimeSpan.FromSeconds(10)).OrderBy(c => c.Partition.Value).ToList();
}
