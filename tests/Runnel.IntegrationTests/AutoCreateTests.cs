using Confluent.Kafka;
using Runnel.Broker;

namespace Runnel.IntegrationTests;

/// <summary>auto.create.topics.enable on and off, each on a broker of its own.</summary>
public sealed class AutoCreateTests
{
    [Fact]
    public async Task Producing_to_a_new_topic_creates_it_when_auto_create_is_on()
    {
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = new Dictionary<string, string> { ["num.partitions"] = "3" } }, TestContext.Current.CancellationToken);
        using var producer = Clients.CreateProducer(broker.BootstrapServers);
        var topic = BrokerFixture.NewTopicName("auto");
        var result = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = [1, 2, 3] }, TestContext.Current.CancellationToken);
        Assert.Equal(PersistenceStatus.Persisted, result.Status);

        using var admin = Clients.CreateAdmin(broker.BootstrapServers);
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        Assert.Equal(3, Assert.Single(metadata.Topics).Partitions.Count);
    }

    [Fact]
    public async Task Producing_to_a_new_topic_fails_when_auto_create_is_off()
    {
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" } }, TestContext.Current.CancellationToken);
        using var producer = Clients.CreateProducer(broker.BootstrapServers, c => c.MessageTimeoutMs = 3000);
        var topic = BrokerFixture.NewTopicName("noauto");
        var error = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() =>
            producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = [1] }, TestContext.Current.CancellationToken));
        Assert.Contains(error.Error.Code, new[] { ErrorCode.UnknownTopicOrPart, ErrorCode.Local_UnknownTopic, ErrorCode.Local_MsgTimedOut });

        using var admin = Clients.CreateAdmin(broker.BootstrapServers);
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(metadata.Topics, t => t.Topic == topic);
    }
}
