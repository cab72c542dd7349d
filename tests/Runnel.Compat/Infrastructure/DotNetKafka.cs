using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// Confluent.Kafka in-process: the other side of every cross-client scenario, so each direction
/// (external client writes, .NET reads; .NET writes, external client reads) is proven.
/// </summary>
public sealed class DotNetKafka(string bootstrapServers)
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public IAdminClient CreateAdmin() =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers, SocketTimeoutMs = 10_000 }).Build();

    public async Task<string> CreateTopicAsync(string client, int partitions = 1)
    {
        var name = TestRecords.NewTopicName(client);
        using var admin = CreateAdmin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }]);
        return name;
    }

    public Metadata GetMetadata(string topic)
    {
        using var admin = CreateAdmin();
        return admin.GetMetadata(topic, Deadline);
    }

    /// <summary>Produces the messages to one partition in order and returns their delivery reports.</summary>
    public async Task<List<DeliveryResult<byte[]?, byte[]?>>> ProduceAsync(
        string topic, int partition, IEnumerable<Message<byte[]?, byte[]?>> messages, CompressionType compression = CompressionType.None)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            CompressionType = compression,
            LingerMs = 5,
            MessageTimeoutMs = (int)Deadline.TotalMilliseconds,
            SocketTimeoutMs = 10_000,
            EnableIdempotence = false,
            Acks = Acks.All,
        };
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        var results = new List<DeliveryResult<byte[]?, byte[]?>>();
        foreach (var message in messages)
        {
            // Sequential awaits keep the order obvious; the counts here are small.
            results.Add(await producer.ProduceAsync(new TopicPartition(topic, partition), message));
        }

        return results;
    }

    /// <summary>
    /// The offsets <paramref name="group"/> has committed for partitions 0..partitions-1 of the
    /// topic (OffsetFetch, without joining the group); -1001 (Offset.Unset) where there is none.
    /// </summary>
    public List<long> Committed(string group, string topic, int partitions)
    {
        var config = new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = group, EnableAutoCommit = false, SocketTimeoutMs = 10_000 };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), Deadline);
        consumer.Close();
        return [.. committed.OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value)];
    }

    /// <summary>How many data records one partition holds for a read_committed consumer (markers and aborted records do not count): read to the end.</summary>
    public int CountCommitted(string topic, int partition)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "runnel-compat-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            IsolationLevel = IsolationLevel.ReadCommitted,
            SocketTimeoutMs = 10_000,
            FetchWaitMaxMs = 100,
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        consumer.Assign(new TopicPartitionOffset(topic, partition, Offset.Beginning));
        var count = 0;
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is { IsPartitionEOF: true })
            {
                return count;
            }

            if (result is not null)
            {
                count++;
            }
        }

        Assert.Fail($"Confluent.Kafka did not reach the end of {topic}[{partition}] within {Deadline.TotalSeconds} s ({count} records).");
        return count;
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> records of one partition from the beginning, by
    /// assignment (no group coordination), or fails at the deadline with what it got.
    /// </summary>
    public List<ConsumeResult<byte[]?, byte[]?>> ConsumeFromBeginning(string topic, int partition, int count, Func<string> diagnostics)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            // Confluent.Kafka requires a group id even for assign(); nothing is committed.
            GroupId = "runnel-compat-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            SocketTimeoutMs = 10_000,
            FetchWaitMaxMs = 100,
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        consumer.Assign(new TopicPartitionOffset(topic, partition, Offset.Beginning));
        var results = new List<ConsumeResult<byte[]?, byte[]?>>();
        var deadline = DateTime.UtcNow + Deadline;
        var cancellationToken = TestContext.Current.CancellationToken;
        while (results.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Confluent.Kafka consumed {results.Count} of {count} records from {topic}[{partition}] within {Deadline.TotalSeconds} s.\n{diagnostics()}");
            }

            cancellationToken.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is { IsPartitionEOF: false })
            {
                results.Add(result);
            }
        }

        consumer.Close();
        return results;
    }
}
