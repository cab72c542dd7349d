using System.Text;
using Confluent.Kafka;
using Runnel.Broker;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>Data and topics survive a clean restart on the same directory.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Records_topics_and_configs_survive_a_restart()
    {
        using var dir = new TempDirectory();
        var topic = BrokerFixture.NewTopicName("restart");
        await using (var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path }, TestContext.Current.CancellationToken))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification
            {
                Name = topic,
                NumPartitions = 2,
                ReplicationFactor = 1,
                Configs = new() { ["retention.ms"] = "123456789" },
            }]);
            using var producer = Clients.CreateProducer(broker.BootstrapServers);
            for (var i = 0; i < 100; i++)
            {
                producer.Produce(new TopicPartition(topic, i % 2), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("r" + i) });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        await using (var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path }, TestContext.Current.CancellationToken))
        {
            using var consumer = Clients.CreateConsumer(broker.BootstrapServers);
            consumer.Assign([new TopicPartitionOffset(topic, 0, Offset.Beginning), new TopicPartitionOffset(topic, 1, Offset.Beginning)]);
            var records = Clients.ConsumeExactly(consumer, 100);
            Assert.Equal(100, records.Select(r => Encoding.UTF8.GetString(r.Message.Value!)).Distinct().Count());

            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            var configs = await admin.DescribeConfigsAsync([new Confluent.Kafka.Admin.ConfigResource { Type = Confluent.Kafka.Admin.ResourceType.Topic, Name = topic }]);
            Assert.Equal("123456789", configs[0].Entries["retention.ms"].Value);

            using var producer = Clients.CreateProducer(broker.BootstrapServers);
            var next = await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<byte[]?, byte[]?> { Value = [9] }, TestContext.Current.CancellationToken);
            Assert.Equal(50, next.Offset.Value);
        }
    }

    [Fact]
    public async Task A_preallocating_topic_keeps_zeros_ahead_while_running_and_restarts_with_every_record()
    {
        using var dir = new TempDirectory();
        var topic = BrokerFixture.NewTopicName("preallocate");
        var segment = Path.Combine(dir.Path, topic + "-0", "00000000000000000000.log");
        await using (var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path }, TestContext.Current.CancellationToken))
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification
            {
                Name = topic,
                NumPartitions = 1,
                ReplicationFactor = 1,
                Configs = new() { ["preallocate"] = "true" },
            }]);
            using var producer = Clients.CreateProducer(broker.BootstrapServers);
            for (var i = 0; i < 200; i++)
            {
                await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("p" + i) }, TestContext.Current.CancellationToken);
            }

            // 200 small records are a few KiB; the file already runs megabytes of zeros ahead.
            Assert.True(new FileInfo(segment).Length > 1024 * 1024, $"segment file {new FileInfo(segment).Length} bytes");
        }

        Assert.True(new FileInfo(segment).Length < 64 * 1024, $"segment file {new FileInfo(segment).Length} bytes after a clean stop");
        await using (var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path }, TestContext.Current.CancellationToken))
        {
            using var consumer = Clients.CreateConsumer(broker.BootstrapServers);
            consumer.Assign([new TopicPartitionOffset(topic, 0, Offset.Beginning)]);
            var records = Clients.ConsumeExactly(consumer, 200);
            Assert.Equal(Enumerable.Range(0, 200).Select(i => "p" + i), records.Select(r => Encoding.UTF8.GetString(r.Message.Value!)));

            using var producer = Clients.CreateProducer(broker.BootstrapServers);
            var next = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = [9] }, TestContext.Current.CancellationToken);
            Assert.Equal(200, next.Offset.Value);
        }
    }
}
