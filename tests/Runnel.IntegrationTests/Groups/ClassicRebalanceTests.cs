using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// 1 → 3 → 1 consumers of a classic group, with librdkafka's eager (range, roundrobin) and
/// incremental (cooperative-sticky, KIP-429) assignors: the broker only relays the leader's
/// assignment, so both must work unchanged.
/// </summary>
/// Each case has its own broker (no initial rebalance delay) so the cases run alongside the rest.
public sealed class ClassicRebalanceTests
{
    [Theory]
    [InlineData(PartitionAssignmentStrategy.Range)]
    [InlineData(PartitionAssignmentStrategy.RoundRobin)]
    [InlineData(PartitionAssignmentStrategy.CooperativeSticky)]
    public async Task Members_joining_and_leaving_never_share_a_partition_nor_lose_or_repeat_a_record(PartitionAssignmentStrategy strategy)
    {
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = ClassicGroupTests.FastGroups }, TestContext.Current.CancellationToken);
        var topic = BrokerFixture.NewTopicName("churn");
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 6, ReplicationFactor = 1 }]);
        }

        var scenario = new GroupChurnScenario(broker.BootstrapServers, topic, 6, c =>
        {
            c.PartitionAssignmentStrategy = strategy;
            c.SessionTimeoutMs = 10_000;
            c.HeartbeatIntervalMs = 300;
        });
        await scenario.RunAsync();
    }
}
