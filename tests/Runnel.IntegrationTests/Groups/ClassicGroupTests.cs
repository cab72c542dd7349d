using System.Text;
using Confluent.Kafka;
using Runnel.Broker;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>Classic consumer groups with Confluent.Kafka's Subscribe: assignment, commits, resume.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ClassicGroupTests(BrokerFixture fixture)
{
    [Fact]
    public async Task Two_consumers_split_the_partitions_and_read_every_record_once()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 4);
        var group = "g-" + Guid.NewGuid().ToString("N");
        using var a = fixture.CreateConsumer(c => c.GroupId = group);
        using var b = fixture.CreateConsumer(c => c.GroupId = group);
        a.Subscribe(topic);
        b.Subscribe(topic);
        await WaitForAssignmentsAsync([a, b], total: 4);
        Assert.Empty(a.Assignment.Intersect(b.Assignment));
        Assert.NotEmpty(a.Assignment);
        Assert.NotEmpty(b.Assignment);

        using (var producer = fixture.CreateProducer())
        {
            for (var i = 0; i < 100; i++)
            {
                producer.Produce(new TopicPartition(topic, i % 4), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("r" + i) });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var seen = new List<string>();
        var byA = 0;
        var byB = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (seen.Count < 100 && DateTime.UtcNow < deadline)
        {
            if (a.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } ra)
            {
                seen.Add(Encoding.UTF8.GetString(ra.Message.Value!));
                byA++;
            }

            if (b.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } rb)
            {
                seen.Add(Encoding.UTF8.GetString(rb.Message.Value!));
                byB++;
            }
        }

        Assert.Equal(100, seen.Count);
        Assert.Equal(100, seen.Distinct().Count());
        Assert.Equal(a.Assignment.Count * 25, byA);
        Assert.Equal(b.Assignment.Count * 25, byB);
        a.Close();
        b.Close();
    }

    [Fact]
    public async Task A_new_consumer_resumes_from_the_committed_offset()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 1);
        var group = "g-" + Guid.NewGuid().ToString("N");
        await ProduceAsync(fixture.BootstrapServers, topic, 20);

        using (var first = fixture.CreateConsumer(c => c.GroupId = group))
        {
            first.Subscribe(topic);
            var records = Clients.ConsumeExactly(first, 10);
            first.Commit(records[^1]);
            var committed = first.Committed([new TopicPartition(topic, 0)], TimeSpan.FromSeconds(10));
            Assert.Equal(10, committed[0].Offset.Value);
            first.Close();
        }

        using var second = fixture.CreateConsumer(c => c.GroupId = group);
        second.Subscribe(topic);
        var next = Clients.ConsumeExactly(second, 1);
        Assert.Equal(10, next[0].Offset.Value);
        Assert.Equal("r10", Encoding.UTF8.GetString(next[0].Message.Value!));
        second.Close();
    }

    [Fact]
    public async Task Committed_offsets_survive_a_broker_restart()
    {
        using var dir = new TempDirectory();
        var topic = BrokerFixture.NewTopicName("groups-restart");
        var group = "g-" + Guid.NewGuid().ToString("N");
        var options = new RunnelBrokerOptions { DataDirectory = dir.Path, Config = FastGroups };
        await using (var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }]);
            await ProduceAsync(broker.BootstrapServers, topic, 20);
            using var consumer = Clients.CreateConsumer(broker.BootstrapServers, c => c.GroupId = group);
            consumer.Subscribe(topic);
            Clients.ConsumeExactly(consumer, 20);
            consumer.Commit([new TopicPartitionOffset(topic, 0, 7, 0), new TopicPartitionOffset(topic, 1, 9)]);
            consumer.Close();
        }

        await using (var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken))
        {
            using var consumer = Clients.CreateConsumer(broker.BootstrapServers, c => c.GroupId = group);
            var committed = await CommittedAsync(consumer, [new TopicPartition(topic, 0), new TopicPartition(topic, 1)]);
            Assert.Equal(7, committed.Single(c => c.Partition == 0).Offset.Value);
            Assert.Equal(9, committed.Single(c => c.Partition == 1).Offset.Value);

            consumer.Subscribe(topic);
            var records = Clients.ConsumeExactly(consumer, (10 - 7) + (10 - 9));
            Assert.Equal(7, records.Where(r => r.Partition == 0).Min(r => r.Offset.Value));
            Assert.Equal(9, records.Where(r => r.Partition == 1).Min(r => r.Offset.Value));
            consumer.Close();
        }
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_expelled_and_its_partitions_move()
    {
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = FastGroups }, TestContext.Current.CancellationToken);
        var topic = BrokerFixture.NewTopicName("groups-expiry");
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = 1 }]);
        }

        var group = "g-" + Guid.NewGuid().ToString("N");
        using var survivor = Clients.CreateConsumer(broker.BootstrapServers, c =>
        {
            c.GroupId = group;
            c.SessionTimeoutMs = 2000;
            c.HeartbeatIntervalMs = 200;
        });
        survivor.Subscribe(topic);
        await using var silent = await SilentMember.JoinAsync(broker.Port, group, topic, sessionTimeoutMs: 2000, survivor);
        await WaitForAssignmentsAsync([survivor], total: 4 - silent.AssignedPartitionCount, atLeastOne: false);
        Assert.True(silent.AssignedPartitionCount > 0, "the silent member got partitions before it went quiet");

        // The silent member never heartbeats again: after its session timeout the survivor owns everything.
        await WaitForAssignmentsAsync([survivor], total: 4);
        Assert.Equal(Confluent.Kafka.ErrorCode.UnknownMemberId, (Confluent.Kafka.ErrorCode)await silent.HeartbeatAsync());
        survivor.Close();
    }

    internal static readonly Dictionary<string, string> FastGroups = new()
    {
        ["group.initial.rebalance.delay.ms"] = "0",
        ["group.min.session.timeout.ms"] = "1000",
        ["offsets.topic.num.partitions"] = "5",
    };

    private static async Task ProduceAsync(string bootstrap, string topic, int count)
    {
        using var producer = Clients.CreateProducer(bootstrap);
        var partitions = 1;
        using (var admin = Clients.CreateAdmin(bootstrap))
        {
            partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count;
        }

        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(new TopicPartition(topic, i % partitions), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("r" + i) }, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<List<TopicPartitionOffset>> CommittedAsync(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (true)
        {
            try
            {
                return consumer.Committed(partitions, TimeSpan.FromSeconds(5));
            }
            catch (KafkaException) when (DateTime.UtcNow < deadline)
            {
                // The coordinator may still be loading after the restart.
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>Polls the consumers (which drives their rebalances) until together they own <paramref name="total"/> partitions.</summary>
    internal static async Task WaitForAssignmentsAsync(IConsumer<byte[]?, byte[]?>[] consumers, int total, bool atLeastOne = true)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (true)
        {
            foreach (var consumer in consumers)
            {
                consumer.Consume(TimeSpan.FromMilliseconds(50));
            }

            if (consumers.Sum(c => c.Assignment.Count) == total && (!atLeastOne || consumers.All(c => c.Assignment.Count > 0)))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Assignments {string.Join(" | ", consumers.Select(c => string.Join(",", c.Assignment)))} never reached {total} partitions.");
            }

            await Task.Yield();
        }
    }
}
