using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Protocol.Messages;
using Runnel.TestKit;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace Runnel.IntegrationTests;

/// <summary>Admin APIs through Confluent.Kafka's AdminClient, plus the ones it does not expose over the wire client.</summary>
[Collection(BrokerCollection.Name)]
public sealed class AdminTests(BrokerFixture fixture)
{
    private static async Task<CreateTopicReport> CreateExpectingErrorAsync(IAdminClient admin, TopicSpecification spec, CreateTopicsOptions? options = null)
    {
        var ex = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([spec], options));
        return Assert.Single(ex.Results);
    }

    [Fact]
    public async Task Created_topic_appears_in_metadata_with_its_partitions_and_id()
    {
        using var admin = fixture.CreateAdmin();
        var name = BrokerFixture.NewTopicName("admin");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = 4, ReplicationFactor = 1 }]);
        var described = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([name]));
        var topic = Assert.Single(described.TopicDescriptions);
        Assert.Equal(4, topic.Partitions.Count);
        Assert.NotEqual(Guid.Empty.ToString(), topic.TopicId.ToString());
        Assert.All(topic.Partitions, p => Assert.Equal(1, p.Leader.Id));
    }

    [Fact]
    public async Task Creating_an_existing_topic_fails_with_TopicAlreadyExists()
    {
        using var admin = fixture.CreateAdmin();
        var name = await fixture.CreateTopicAsync();
        var report = await CreateExpectingErrorAsync(admin, new TopicSpecification { Name = name, NumPartitions = 1, ReplicationFactor = 1 });
        Assert.Equal(KafkaErrorCode.TopicAlreadyExists, report.Error.Code);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("..")]
    [InlineData("bad/name")]
    public async Task An_illegal_topic_name_fails_with_InvalidTopic(string name)
    {
        using var admin = fixture.CreateAdmin();
        var report = await CreateExpectingErrorAsync(admin, new TopicSpecification { Name = name, NumPartitions = 1, ReplicationFactor = 1 });
        Assert.Equal(KafkaErrorCode.TopicException, report.Error.Code);
    }

    [Fact]
    public async Task A_replication_factor_above_the_broker_count_is_refused()
    {
        using var admin = fixture.CreateAdmin();
        var report = await CreateExpectingErrorAsync(admin, new TopicSpecification { Name = BrokerFixture.NewTopicName(), NumPartitions = 1, ReplicationFactor = 3 });
        Assert.Equal(KafkaErrorCode.InvalidReplicationFactor, report.Error.Code);
    }

    [Fact]
    public async Task An_invalid_topic_config_is_refused_with_InvalidConfig()
    {
        using var admin = fixture.CreateAdmin();
        var bad = await CreateExpectingErrorAsync(admin, new TopicSpecification { Name = BrokerFixture.NewTopicName(), NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "abc" } });
        Assert.Equal(KafkaErrorCode.InvalidConfig, bad.Error.Code);
        var unknown = await CreateExpectingErrorAsync(admin, new TopicSpecification { Name = BrokerFixture.NewTopicName(), NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["no.such.config"] = "1" } });
        Assert.Equal(KafkaErrorCode.InvalidConfig, unknown.Error.Code);
    }

    [Fact]
    public async Task Validate_only_creates_nothing()
    {
        using var admin = fixture.CreateAdmin();
        var name = BrokerFixture.NewTopicName("validate");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = 2, ReplicationFactor = 1 }], new CreateTopicsOptions { ValidateOnly = true });
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(metadata.Topics, t => t.Topic == name);
    }

    [Fact]
    public async Task A_deleted_topic_is_gone_and_its_name_can_be_reused()
    {
        using var admin = fixture.CreateAdmin();
        var name = await fixture.CreateTopicAsync(partitions: 2);
        using (var producer = fixture.CreateProducer())
        {
            await producer.ProduceAsync(name, new Message<byte[]?, byte[]?> { Value = [1] }, TestContext.Current.CancellationToken);
        }

        await admin.DeleteTopicsAsync([name]);
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == name);

        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = 1, ReplicationFactor = 1 }]);
        using var consumer = fixture.CreateConsumer();
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(name, 0), TimeSpan.FromSeconds(10));
        Assert.Equal(0, watermarks.High.Value); // the new topic starts empty
    }

    [Fact]
    public async Task Deleting_an_unknown_topic_fails_with_UnknownTopicOrPartition()
    {
        using var admin = fixture.CreateAdmin();
        var ex = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync([BrokerFixture.NewTopicName("missing")]));
        Assert.Equal(KafkaErrorCode.UnknownTopicOrPart, Assert.Single(ex.Results).Error.Code);
    }

    [Fact]
    public async Task Partitions_can_grow_but_not_shrink()
    {
        using var admin = fixture.CreateAdmin();
        var name = await fixture.CreateTopicAsync(partitions: 2);
        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = name, IncreaseTo = 5 }]);
        using (var producer = fixture.CreateProducer())
        {
            var delivered = await producer.ProduceAsync(new TopicPartition(name, 4), new Message<byte[]?, byte[]?> { Value = [4] }, TestContext.Current.CancellationToken);
            Assert.Equal(4, delivered.Partition.Value);
        }

        var ex = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = name, IncreaseTo = 3 }]));
        Assert.Equal(KafkaErrorCode.InvalidPartitions, Assert.Single(ex.Results).Error.Code);
    }

    [Fact]
    public async Task DeleteRecords_moves_the_log_start_offset()
    {
        using var admin = fixture.CreateAdmin();
        var name = await fixture.CreateTopicAsync();
        using (var producer = fixture.CreateProducer())
        {
            for (var i = 0; i < 10; i++)
            {
                producer.Produce(name, new Message<byte[]?, byte[]?> { Value = [(byte)i] });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var result = await admin.DeleteRecordsAsync([new TopicPartitionOffset(name, 0, 4)]);
        Assert.Equal(4, Assert.Single(result).Offset.Value);

        using var consumer = fixture.CreateConsumer();
        Assert.Equal(4, consumer.QueryWatermarkOffsets(new TopicPartition(name, 0), TimeSpan.FromSeconds(10)).Low.Value);
        consumer.Assign(new TopicPartitionOffset(name, 0, Offset.Beginning));
        var first = Clients.ConsumeExactly(consumer, 1)[0];
        Assert.Equal(4, first.Offset.Value);
        Assert.Equal([4], first.Message.Value);
    }

    [Fact]
    public async Task DeleteRecords_beyond_the_high_watermark_fails_with_OffsetOutOfRange()
    {
        using var admin = fixture.CreateAdmin();
        var name = await fixture.CreateTopicAsync();
        var ex = await Assert.ThrowsAsync<DeleteRecordsException>(() => admin.DeleteRecordsAsync([new TopicPartitionOffset(name, 0, 100)]));
        Assert.Equal(KafkaErrorCode.OffsetOutOfRange, Assert.Single(ex.Results).Error.Code);
    }

    [Fact]
    public async Task Topic_configs_describe_with_sources_and_alter_incrementally()
    {
        using var admin = fixture.CreateAdmin();
        var name = await fixture.CreateTopicAsync(configs: new() { ["retention.ms"] = "3600000" });
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = name };

        var described = (await admin.DescribeConfigsAsync([resource]))[0];
        Assert.Equal("3600000", described.Entries["retention.ms"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, described.Entries["retention.ms"].Source);
        Assert.Equal("delete", described.Entries["cleanup.policy"].Value);
        Assert.Equal(ConfigSource.DefaultConfig, described.Entries["cleanup.policy"].Source);
        Assert.Equal("1048588", described.Entries["max.message.bytes"].Value);

        var alterations = new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] =
            [
                new ConfigEntry { Name = "segment.ms", Value = "60000", IncrementalOperation = AlterConfigOpType.Set },
                new ConfigEntry { Name = "retention.ms", IncrementalOperation = AlterConfigOpType.Delete },
            ],
        };
        await admin.IncrementalAlterConfigsAsync(alterations);

        var after = (await admin.DescribeConfigsAsync([resource]))[0];
        Assert.Equal("60000", after.Entries["segment.ms"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, after.Entries["segment.ms"].Source);
        Assert.Equal("604800000", after.Entries["retention.ms"].Value);
        Assert.NotEqual(ConfigSource.DynamicTopicConfig, after.Entries["retention.ms"].Source);
    }

    [Fact]
    public async Task Concurrent_incremental_alters_of_one_topic_all_take_effect()
    {
        var name = await fixture.CreateTopicAsync();
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = name };
        string[] keys = ["segment.ms", "retention.ms", "retention.bytes", "flush.ms", "flush.messages", "segment.jitter.ms", "delete.retention.ms", "min.compaction.lag.ms"];
        var alters = keys.Select(async (key, i) =>
        {
            using var admin = fixture.CreateAdmin();
            await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [resource] = [new ConfigEntry { Name = key, Value = (100_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), IncrementalOperation = AlterConfigOpType.Set }],
            });
        });
        await Task.WhenAll(alters);

        using var describer = fixture.CreateAdmin();
        var described = (await describer.DescribeConfigsAsync([resource]))[0];
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal((100_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), described.Entries[keys[i]].Value);
            Assert.Equal(ConfigSource.DynamicTopicConfig, described.Entries[keys[i]].Source);
        }
    }

    [Fact]
    public async Task Broker_configs_describe_with_read_only_flags()
    {
        using var admin = fixture.CreateAdmin();
        var described = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Broker, Name = "1" }]))[0];
        Assert.True(described.Entries["node.id"].IsReadOnly);
        Assert.Equal("1", described.Entries["node.id"].Value);
        Assert.False(described.Entries["log.retention.ms"].IsReadOnly);
    }

    [Fact]
    public async Task DescribeCluster_reports_this_broker_and_the_cluster_id()
    {
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);
        var response = await client.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest { IncludeClusterAuthorizedOperations = true }, 1, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, response.ErrorCode);
        Assert.Equal(fixture.Broker.Host.Metadata.ClusterId, response.ClusterId);
        var broker = Assert.Single(response.Brokers);
        Assert.Equal(fixture.Broker.Port, broker.Port);
        Assert.Equal("127.0.0.1", broker.Host);
        Assert.NotEqual(int.MinValue, response.ClusterAuthorizedOperations);

        var controllers = await client.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 2 }, 1, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((short)Runnel.Protocol.ErrorCode.MismatchedEndpointType, controllers.ErrorCode);
    }

    [Fact]
    public async Task DescribeTopicPartitions_pages_with_a_cursor()
    {
        var name = await fixture.CreateTopicAsync(partitions: 5);
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);
        var first = await client.SendAsync<DescribeTopicPartitionsResponse>(new DescribeTopicPartitionsRequest
        {
            Topics = [new DescribeTopicPartitionsRequest.TopicRequest { Name = name }],
            ResponsePartitionLimit = 3,
        }, 0, cancellationToken: TestContext.Current.CancellationToken);
        var topic = Assert.Single(first.Topics);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.PartitionIndex));
        Assert.NotNull(first.NextCursor);
        Assert.Equal(3, first.NextCursor!.PartitionIndex);

        var second = await client.SendAsync<DescribeTopicPartitionsResponse>(new DescribeTopicPartitionsRequest
        {
            Topics = [new DescribeTopicPartitionsRequest.TopicRequest { Name = name }],
            ResponsePartitionLimit = 3,
            Cursor = new DescribeTopicPartitionsRequest.CursorStruct { TopicName = name, PartitionIndex = 3 },
        }, 0, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([3, 4], Assert.Single(second.Topics).Partitions.Select(p => p.PartitionIndex));
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task DescribeLogDirs_reports_partition_sizes()
    {
        var name = await fixture.CreateTopicAsync();
        using (var producer = fixture.CreateProducer())
        {
            await producer.ProduceAsync(name, new Message<byte[]?, byte[]?> { Value = new byte[1000] }, TestContext.Current.CancellationToken);
        }

        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);
        var response = await client.SendAsync<DescribeLogDirsResponse>(new DescribeLogDirsRequest
        {
            Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = name, Partitions = [0] }],
        }, 4, cancellationToken: TestContext.Current.CancellationToken);
        var dir = Assert.Single(response.Results);
        Assert.Equal(0, dir.ErrorCode);
        Assert.True(dir.TotalBytes > 0);
        var partition = Assert.Single(Assert.Single(dir.Topics).Partitions);
        Assert.True(partition.PartitionSize > 1000, $"size {partition.PartitionSize}");
    }
}
