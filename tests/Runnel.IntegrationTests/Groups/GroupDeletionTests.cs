using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Time.Testing;
using Runnel.Broker;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// How committed offsets and groups go away: DeleteGroups, OffsetDelete, topic deletion and
/// offset expiry (<c>offsets.retention.minutes</c>), each surviving a restart where it matters.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class GroupDeletionTests(BrokerFixture fixture)
{
    [Fact]
    public async Task Deleting_an_empty_group_removes_its_offsets_and_stays_deleted_after_a_restart()
    {
        using var dir = new TempDirectory();
        var topic = BrokerFixture.NewTopicName("delete-group");
        var deleted = "deleted-" + Guid.NewGuid().ToString("N");
        var kept = "kept-" + Guid.NewGuid().ToString("N");
        var options = new RunnelBrokerOptions { DataDirectory = dir.Path, Config = ClassicGroupTests.FastGroups };
        await using (var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }]);
            await CommitAsync(admin, deleted, new TopicPartitionOffset(topic, 0, 5), new TopicPartitionOffset(topic, 1, 6));
            await CommitAsync(admin, kept, new TopicPartitionOffset(topic, 0, 3));

            await admin.DeleteGroupsAsync([deleted]);

            Assert.Equal(Offset.Unset, (await CommittedAsync(admin, deleted, new TopicPartition(topic, 0))).Offset);
            Assert.Equal(3, (await CommittedAsync(admin, kept, new TopicPartition(topic, 0))).Offset.Value);
            var listed = await admin.ListConsumerGroupsAsync();
            Assert.DoesNotContain(listed.Valid, g => g.GroupId == deleted);
            Assert.Contains(listed.Valid, g => g.GroupId == kept);
        }

        await using (var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            Assert.Equal(3, (await CommittedAsync(admin, kept, new TopicPartition(topic, 0))).Offset.Value);
            Assert.Equal(Offset.Unset, (await CommittedAsync(admin, deleted, new TopicPartition(topic, 0))).Offset);
            Assert.Equal(Offset.Unset, (await CommittedAsync(admin, deleted, new TopicPartition(topic, 1))).Offset);
        }
    }

    [Fact]
    public async Task A_group_with_members_is_not_deleted_and_an_unknown_group_is_not_found()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 1);
        var live = "live-" + Guid.NewGuid().ToString("N");
        var unknown = "unknown-" + Guid.NewGuid().ToString("N");
        using var consumer = fixture.CreateConsumer(c => c.GroupId = live);
        consumer.Subscribe(topic);
        await Eventually.TrueAsync(
            () =>
            {
                consumer.Consume(TimeSpan.FromMilliseconds(100));
                return consumer.Assignment.Count == 1;
            },
            "the consumer joins its group");

        using var admin = fixture.CreateAdmin();
        var failure = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([live, unknown]));
        Assert.Equal(ErrorCode.NonEmptyGroup, failure.Results.Single(r => r.Group == live).Error.Code);
        Assert.Equal(ErrorCode.GroupIdNotFound, failure.Results.Single(r => r.Group == unknown).Error.Code);

        consumer.Close();
        await admin.DeleteGroupsAsync([live]);
    }

    [Fact]
    public async Task OffsetDelete_removes_chosen_partitions_and_spares_topics_a_live_group_consumes()
    {
        var consumed = await fixture.CreateTopicAsync(partitions: 2);
        var other = await fixture.CreateTopicAsync(partitions: 1);
        var group = "offset-delete-" + Guid.NewGuid().ToString("N");
        using var admin = fixture.CreateAdmin();
        await CommitAsync(admin, group, new TopicPartitionOffset(consumed, 0, 4), new TopicPartitionOffset(consumed, 1, 8), new TopicPartitionOffset(other, 0, 2));

        // Empty group: any partition's offset can go.
        await admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(consumed, 1)]);
        Assert.Equal(Offset.Unset, (await CommittedAsync(admin, group, new TopicPartition(consumed, 1))).Offset);
        Assert.Equal(4, (await CommittedAsync(admin, group, new TopicPartition(consumed, 0))).Offset.Value);

        // Live consumer group subscribed to `consumed`: its offsets stay, those of `other` can go.
        using var consumer = fixture.CreateConsumer(c => c.GroupId = group);
        consumer.Subscribe(consumed);
        await Eventually.TrueAsync(
            () =>
            {
                consumer.Consume(TimeSpan.FromMilliseconds(100));
                return consumer.Assignment.Count == 2;
            },
            "the consumer joins its group");
        var refused = await Assert.ThrowsAsync<DeleteConsumerGroupOffsetsException>(() => admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(consumed, 0)]));
        Assert.Equal(ErrorCode.GroupSubscribedToTopic, refused.Result.Partitions.Single().Error.Code);
        await admin.DeleteConsumerGroupOffsetsAsync(group, [new TopicPartition(other, 0)]);
        Assert.Equal(Offset.Unset, (await CommittedAsync(admin, group, new TopicPartition(other, 0))).Offset);
        Assert.Equal(4, (await CommittedAsync(admin, group, new TopicPartition(consumed, 0))).Offset.Value);
        consumer.Close();
    }

    [Fact]
    public async Task Deleting_a_topic_removes_its_committed_offsets_so_a_recreated_topic_starts_fresh()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 1);
        var survivor = await fixture.CreateTopicAsync(partitions: 1);
        var group = "topic-delete-" + Guid.NewGuid().ToString("N");
        using var admin = fixture.CreateAdmin();
        await CommitAsync(admin, group, new TopicPartitionOffset(topic, 0, 42), new TopicPartitionOffset(survivor, 0, 7));

        await admin.DeleteTopicsAsync([topic]);
        await Eventually.TrueAsync(
            () => !admin.GetMetadata(TimeSpan.FromSeconds(5)).Topics.Exists(t => t.Topic == topic),
            "the topic is gone");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);

        Assert.Equal(Offset.Unset, (await CommittedAsync(admin, group, new TopicPartition(topic, 0))).Offset);
        Assert.Equal(7, (await CommittedAsync(admin, group, new TopicPartition(survivor, 0))).Offset.Value);
    }

    [Fact]
    public async Task A_commit_to_a_partition_that_does_not_exist_is_refused()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 1);
        using var admin = fixture.CreateAdmin();
        var group = "no-partition-" + Guid.NewGuid().ToString("N");
        var failure = await Assert.ThrowsAsync<AlterConsumerGroupOffsetsException>(() =>
            admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group, [new TopicPartitionOffset(topic, 3, 1)])]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, failure.Results.Single().Partitions.Single().Error.Code);
    }

    [Fact]
    public async Task Offsets_of_an_empty_group_expire_after_the_retention_and_stay_expired_after_a_restart()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var topic = BrokerFixture.NewTopicName("expiry");
        var old = "old-" + Guid.NewGuid().ToString("N");
        var fresh = "fresh-" + Guid.NewGuid().ToString("N");
        var config = new Dictionary<string, string>(ClassicGroupTests.FastGroups)
        {
            ["offsets.retention.minutes"] = "60",
            ["offsets.retention.check.interval.ms"] = "1000",

            // The fake clock jumps an hour: idle connections would be closed under the client.
            ["connections.max.idle.ms"] = "86400000",
        };
        var options = new RunnelBrokerOptions { DataDirectory = dir.Path, Config = config, TimeProvider = time };
        await using (var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
            await CommitAsync(admin, old, new TopicPartitionOffset(topic, 0, 11));

            time.Advance(TimeSpan.FromMinutes(59));
            await CommitAsync(admin, fresh, new TopicPartitionOffset(topic, 0, 22));
            Assert.Equal(11, (await CommittedAsync(admin, old, new TopicPartition(topic, 0))).Offset.Value);

            // Past the retention for `old` only; the tick (on the broker's clock) expires it.
            time.Advance(TimeSpan.FromMinutes(2));
            await Eventually.TrueAsync(
                async () => (await CommittedAsync(admin, old, new TopicPartition(topic, 0))).Offset == Offset.Unset,
                "the old group's offset expires");
            Assert.Equal(22, (await CommittedAsync(admin, fresh, new TopicPartition(topic, 0))).Offset.Value);
            var listed = await admin.ListConsumerGroupsAsync();
            Assert.DoesNotContain(listed.Valid, g => g.GroupId == old);
        }

        await using (var broker = await RunnelBroker.StartAsync(options with { TimeProvider = TimeProvider.System }, TestContext.Current.CancellationToken))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            Assert.Equal(Offset.Unset, (await CommittedAsync(admin, old, new TopicPartition(topic, 0))).Offset);
            Assert.Equal(22, (await CommittedAsync(admin, fresh, new TopicPartition(topic, 0))).Offset.Value);
        }
    }

    /// <summary>An admin ("simple") commit, retried while the coordinator of a just-started broker loads.</summary>
    internal static async Task CommitAsync(IAdminClient admin, string group, params TopicPartitionOffset[] offsets)
    {
        await RetryWhileLoadingAsync(() => admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group, [.. offsets])]));
    }

    internal static async Task<TopicPartitionOffsetError> CommittedAsync(IAdminClient admin, string group, TopicPartition partition)
    {
        var results = await RetryWhileLoadingAsync(() => admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, [partition])]));
        return results.Single().Partitions.Single();
    }

    private static async Task<T> RetryWhileLoadingAsync<T>(Func<Task<T>> operation)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (true)
        {
            try
            {
                return await operation();
            }
            catch (KafkaException e) when (DateTime.UtcNow < deadline && e.Error.Code is ErrorCode.GroupLoadInProgress or ErrorCode.GroupCoordinatorNotAvailable)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }
}
