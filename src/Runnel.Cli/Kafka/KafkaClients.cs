using Confluent.Kafka;

namespace Runnel.Cli.Kafka;

/// <summary>
/// Builds Confluent.Kafka clients from a librdkafka property map with the tools' error and log
/// handlers attached. Invalid property names or values surface as <see cref="ToolException"/>.
/// </summary>
internal static class KafkaClients
{
    public static IAdminClient CreateAdmin(Dictionary<string, string> config, TextWriter error)
    {
        ClientEvents events = new(error);
        return Build(() => new AdminClientBuilder(config)
            .SetErrorHandler(events.OnError)
            .SetLogHandler(events.OnLog)
            .Build());
    }

    public static IProducer<TKey, TValue> CreateProducer<TKey, TValue>(
        Dictionary<string, string> config,
        TextWriter error,
        Action<IProducer<TKey, TValue>, string>? statisticsHandler = null)
    {
        ClientEvents events = new(error);
        return Build(() =>
        {
            ProducerBuilder<TKey, TValue> builder = new ProducerBuilder<TKey, TValue>(config)
                .SetErrorHandler(events.OnError)
                .SetLogHandler(events.OnLog);
            if (statisticsHandler is not null)
            {
                builder.SetStatisticsHandler(statisticsHandler);
            }

            return builder.Build();
        });
    }

    public static IConsumer<TKey, TValue> CreateConsumer<TKey, TValue>(
        Dictionary<string, string> config,
        TextWriter error,
        Action<IConsumer<TKey, TValue>, List<TopicPartition>>? partitionsAssignedHandler = null,
        IDeserializer<TKey>? keyDeserializer = null,
        IDeserializer<TValue>? valueDeserializer = null)
    {
        ClientEvents events = new(error);
        return Build(() =>
        {
            ConsumerBuilder<TKey, TValue> builder = new ConsumerBuilder<TKey, TValue>(config)
                .SetErrorHandler(events.OnError)
                .SetLogHandler(events.OnLog);
            if (partitionsAssignedHandler is not null)
            {
                builder.SetPartitionsAssignedHandler(partitionsAssignedHandler);
            }

            if (keyDeserializer is not null)
            {
                builder.SetKeyDeserializer(keyDeserializer);
            }

            if (valueDeserializer is not null)
            {
                builder.SetValueDeserializer(valueDeserializer);
            }

            return builder.Build();
        });
    }

    /// <summary>
    /// The partitions of <paramref name="topic"/>, from a metadata request on the client's own
    /// connections. Throws <see cref="ToolException"/> when the topic does not exist.
    /// </summary>
    public static List<int> GetPartitions(IClient client, string topic, TimeSpan timeout)
    {
        using IAdminClient admin = new DependentAdminClientBuilder(client.Handle).Build();
        Metadata metadata = admin.GetMetadata(topic, timeout);
        TopicMetadata? topicMetadata = metadata.Topics.Find(t => t.Topic == topic);
        if (topicMetadata is null || topicMetadata.Error.Code == ErrorCode.UnknownTopicOrPart
            || (topicMetadata.Error.Code == ErrorCode.NoError && topicMetadata.Partitions.Count == 0))
        {
            throw new ToolException($"Topic '{topic}' does not exist.");
        }

        if (topicMetadata.Error.IsError)
        {
            throw new ToolException($"Cannot read metadata of topic '{topic}': {topicMetadata.Error.Code}: {topicMetadata.Error.Reason}");
        }

        List<int> partitions = new(topicMetadata.Partitions.Count);
        foreach (PartitionMetadata partition in topicMetadata.Partitions)
        {
            partitions.Add(partition.PartitionId);
        }

        partitions.Sort();
        return partitions;
    }

    private static T Build<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentException e)
        {
            // librdkafka rejects unknown properties and bad values when the client is built.
            throw new ToolException($"Invalid client configuration: {e.Message}", e);
        }
    }
}
