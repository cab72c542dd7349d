using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;

namespace Runnel.IntegrationTests;

/// <summary>
/// One in-process broker shared by a test collection (127.0.0.1, ephemeral port, temp dir).
/// Tests use their own topics (<see cref="NewTopicName"/>) so they never see each other's data.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private RunnelBroker? _broker;

    public RunnelBroker Broker => _broker ?? throw new InvalidOperationException("Broker not started.");

    public string BootstrapServers => Broker.BootstrapServers;

    public async ValueTask InitializeAsync()
    {
        _broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = Config });

        // The group coordinator creates __consumer_offsets on first use and replays it in the
        // background; meanwhile group APIs answer COORDINATOR_LOAD_IN_PROGRESS, which librdkafka's
        // admin calls (ListConsumerGroups) do not retry. Tests of the shared broker start once it is ready.
        await _broker.Host.GroupCoordinator.Load.Start().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    /// <summary>
    /// The shared broker's overrides: consumer-protocol (KIP-848) members heartbeat every 250 ms
    /// instead of 5 s, so rebalances in tests take a fraction of a second; the Prometheus endpoint
    /// is on (a free port) so every test runs with the metrics exporter listening.
    /// </summary>
    public static readonly Dictionary<string, string> Config = new()
    {
        ["group.consumer.heartbeat.interval.ms"] = "250",
        ["group.consumer.min.heartbeat.interval.ms"] = "100",
        ["runnel.metrics.listener"] = "http://127.0.0.1:0",
    };

    public static string NewTopicName(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}";

    public IProducer<byte[]?, byte[]?> CreateProducer(Action<ProducerConfig>? configure = null) =>
        Clients.CreateProducer(BootstrapServers, configure);

    public IConsumer<byte[]?, byte[]?> CreateConsumer(Action<ConsumerConfig>? configure = null) =>
        Clients.CreateConsumer(BootstrapServers, configure);

    public IAdminClient CreateAdmin() => Clients.CreateAdmin(BootstrapServers);

    public async Task<string> CreateTopicAsync(int partitions = 1, Dictionary<string, string>? configs = null, string prefix = "t")
    {
        var name = NewTopicName(prefix);
        using var admin = CreateAdmin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }]);
        return name;
    }
}

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<BrokerFixture>
{
    public const string Name = "broker";
}
