using Confluent.Kafka;

namespace Runnel.IntegrationTests;

/// <summary>Confluent.Kafka clients configured for tests: fast failure, no background noise.</summary>
public static class Clients
{
    public static IProducer<byte[]?, byte[]?> CreateProducer(string bootstrap, Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            LingerMs = 1,
            MessageTimeoutMs = 30_000,
            SocketTimeoutMs = 10_000,
            EnableIdempotence = false,
        };
        configure?.Invoke(config);
        return new ProducerBuilder<byte[]?, byte[]?>(config).Build();
    }

    public static IConsumer<byte[]?, byte[]?> CreateConsumer(string bootstrap, Action<ConsumerConfig>? configure = null) =>
        CreateConsumerBuilder(bootstrap, configure).Build();

    /// <summary>The test consumer's builder, for tests that add rebalance handlers.</summary>
    public static ConsumerBuilder<byte[]?, byte[]?> CreateConsumerBuilder(string bootstrap, Action<ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "runnel-tests-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SocketTimeoutMs = 10_000,
            FetchWaitMaxMs = 100,
        };
        configure?.Invoke(config);
        return new ConsumerBuilder<byte[]?, byte[]?>(config);
    }

    public static IAdminClient CreateAdmin(string bootstrap) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap, SocketTimeoutMs = 10_000 }).Build();

    /// <summary>Consumes exactly <paramref name="count"/> records from the assigned partitions or fails at the deadline.</summary>
    public static List<ConsumeResult<byte[]?, byte[]?>> ConsumeExactly(IConsumer<byte[]?, byte[]?> consumer, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var results = new List<ConsumeResult<byte[]?, byte[]?>>(count);
        while (results.Count < count)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Consumed {results.Count} of {count} records before the deadline.");
            }

            var result = consumer.Consume(remaining < TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1));
            if (result is { IsPartitionEOF: false })
            {
                results.Add(result);
            }
        }

        return results;
    }
}
