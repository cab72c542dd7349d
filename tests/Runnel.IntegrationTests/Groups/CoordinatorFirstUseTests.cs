using Confluent.Kafka;
using Runnel.Broker;
using Runnel.Protocol.Messages;
using Runnel.TestKit;
using ErrorCode = Runnel.Protocol.ErrorCode;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// As in Kafka, <c>__consumer_offsets</c> and <c>__transaction_state</c> are created on first use,
/// not at startup: a broker that never sees a group or a transaction has neither. The first lookup
/// creates the topic and waits for the coordinator; a broker that has the topic loads it at start.
/// </summary>
public sealed class CoordinatorFirstUseTests : IDisposable
{
    private const string OffsetsTopic = "__consumer_offsets";
    private const string StateTopic = "__transaction_state";

    private static readonly Dictionary<string, string> SmallTopics = new()
    {
        ["offsets.topic.num.partitions"] = "3",
        ["transaction.state.log.num.partitions"] = "2",
    };

    private readonly TempDirectory _dir = new("first-use");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    private Task<RunnelBroker> StartAsync() =>
        RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = _dir.Path, Config = SmallTopics }, Cancel);

    private bool OnDisk(string topic) => Directory.Exists(Path.Combine(_dir.Path, topic + "-0"));

    [Fact]
    public async Task A_fresh_broker_has_no_internal_topics_and_lists_no_groups()
    {
        await using var broker = await StartAsync();
        using var admin = Clients.CreateAdmin(broker.BootstrapServers);

        // Throws on an error such as COORDINATOR_LOAD_IN_PROGRESS (librdkafka does not retry it).
        var groups = await admin.ListConsumerGroupsAsync();

        Assert.Empty(groups.Valid);
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(metadata.Topics, t => t.Topic is OffsetsTopic or StateTopic);
        Assert.False(broker.Host.Partitions.TryGetTopic(OffsetsTopic, out _));
        Assert.False(broker.Host.GroupCoordinator.Load.IsStarted);
        Assert.False(broker.Host.TransactionCoordinator.Load.IsStarted);
        Assert.False(OnDisk(OffsetsTopic));
        Assert.False(OnDisk(StateTopic));
    }

    [Fact]
    public async Task The_first_group_lookup_creates_the_offsets_topic_and_finds_this_broker()
    {
        await using var broker = await StartAsync();
        await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, Cancel);

        var response = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = ["g"] }, 4, cancellationToken: Cancel);

        var coordinator = Assert.Single(response.Coordinators);
        Assert.Equal((short)ErrorCode.None, coordinator.ErrorCode);
        Assert.Equal(broker.Port, coordinator.Port);
        Assert.True(broker.Host.Partitions.TryGetTopic(OffsetsTopic, out var partitions));
        Assert.Equal(3, partitions.Length);
        Assert.True(OnDisk(OffsetsTopic));
        Assert.False(OnDisk(StateTopic));
    }

    [Fact]
    public async Task The_first_transactional_lookup_creates_both_topics()
    {
        await using var broker = await StartAsync();
        await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, Cancel);

        var response = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { KeyType = 1, Key = "tx" }, 3, cancellationToken: Cancel);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.True(broker.Host.Partitions.TryGetTopic(StateTopic, out var state));
        Assert.Equal(2, state.Length);
        Assert.True(broker.Host.IsGroupCoordinatorLoaded);
        Assert.True(OnDisk(OffsetsTopic));
    }

    [Fact]
    public async Task A_group_request_without_a_lookup_starts_the_load_and_is_answered_once_loaded()
    {
        await using var broker = await StartAsync();
        await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, Cancel);
        var fetch = new OffsetFetchRequest { GroupId = "g", Topics = null };

        var first = await client.SendAsync<OffsetFetchResponse>(fetch, 5, cancellationToken: Cancel);
        Assert.True(first.ErrorCode is (short)ErrorCode.CoordinatorLoadInProgress or (short)ErrorCode.None, $"error {first.ErrorCode}");
        Assert.True(broker.Host.GroupCoordinator.Load.IsStarted);

        await Eventually.TrueAsync(() => broker.Host.IsGroupCoordinatorLoaded, "the group coordinator loads after the first group request");
        var second = await client.SendAsync<OffsetFetchResponse>(fetch, 5, cancellationToken: Cancel);
        Assert.Equal((short)ErrorCode.None, second.ErrorCode);
    }

    [Fact]
    public async Task Committed_offsets_are_loaded_at_the_next_start_without_a_request()
    {
        string topic = "orders";
        await using (var broker = await StartAsync())
        {
            using var admin = Clients.CreateAdmin(broker.BootstrapServers);
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
            using var consumer = Clients.CreateConsumer(broker.BootstrapServers, c => c.GroupId = "g1");
            consumer.Commit([new TopicPartitionOffset(topic, 0, 42)]);
        }

        await using var restarted = await StartAsync();

        Assert.True(restarted.Host.GroupCoordinator.Load.IsStarted);
        Assert.False(restarted.Host.TransactionCoordinator.Load.IsStarted);
        await Eventually.TrueAsync(() => restarted.Host.IsGroupCoordinatorLoaded, "the group coordinator loads the existing topic at start");
        using var reader = Clients.CreateConsumer(restarted.BootstrapServers, c => c.GroupId = "g1");
        var committed = reader.Committed([new TopicPartition(topic, 0)], TimeSpan.FromSeconds(10));
        Assert.Equal(42, Assert.Single(committed).Offset.Value);
    }
}
