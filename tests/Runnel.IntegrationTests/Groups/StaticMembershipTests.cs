using Confluent.Kafka;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>Static membership (KIP-345) with Confluent.Kafka's GroupInstanceId.</summary>
[Collection(BrokerCollection.Name)]
public sealed class StaticMembershipTests(BrokerFixture fixture)
{
    [Fact]
    public async Task Static_members_restarting_in_turn_get_their_partitions_back_without_a_rebalance()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 4);
        var group = "static-" + Guid.NewGuid().ToString("N");
        var a = new TrackedConsumer(fixture, group, "instance-a", topic);
        var b = new TrackedConsumer(fixture, group, "instance-b", topic);
        try
        {
            await PollUntilAsync([a, b], () => a.Assigned.Count + b.Assigned.Count == 4 && a.Assigned.Count > 0 && b.Assigned.Count > 0, "both static members own partitions");
            var original = new Dictionary<string, List<TopicPartition>> { ["a"] = [.. a.Assigned], ["b"] = [.. b.Assigned] };

            // Restart each member in turn (one of them leads the group): the survivor sees no
            // rebalance, and the restarted member gets exactly its old partitions.
            a = await RestartAsync(a, b, original["a"], "instance-a");
            b = await RestartAsync(b, a, original["b"], "instance-b");
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    private async Task<TrackedConsumer> RestartAsync(TrackedConsumer restarting, TrackedConsumer survivor, List<TopicPartition> expected, string instanceId)
    {
        var survivorEvents = survivor.Events;
        restarting.Dispose(); // A static member does not leave the group when it closes.
        var restarted = new TrackedConsumer(fixture, restarting.Group, instanceId, restarting.Topic);
        await PollUntilAsync([restarted, survivor], () => restarted.Assigned.Count > 0, "the restarted member gets its assignment");
        Assert.Equal(expected.OrderBy(p => p.Partition.Value), restarted.Assigned.OrderBy(p => p.Partition.Value));
        Assert.Equal(survivorEvents, survivor.Events);
        return restarted;
    }

    private static async Task PollUntilAsync(TrackedConsumer[] consumers, Func<bool> condition, string because)
    {
        await Eventually.TrueAsync(
            () =>
            {
                foreach (var consumer in consumers)
                {
                    consumer.Consumer.Consume(TimeSpan.FromMilliseconds(50));
                }

                return condition();
            },
            because);
    }

    /// <summary>A subscribed consumer that records its assignment and counts rebalance callbacks.</summary>
    private sealed class TrackedConsumer : IDisposable
    {
        public TrackedConsumer(BrokerFixture fixture, string group, string instanceId, string topic)
        {
            Group = group;
            Topic = topic;
            Consumer = Clients.CreateConsumerBuilder(fixture.BootstrapServers, c =>
                {
                    c.GroupId = group;
                    c.GroupInstanceId = instanceId;
                    c.SessionTimeoutMs = 30_000;
                })
                .SetPartitionsAssignedHandler((_, partitions) =>
                {
                    Events++;
                    Assigned.AddRange(partitions);
                })
                .SetPartitionsRevokedHandler((_, partitions) =>
                {
                    Events++;
                    Assigned.Clear();
                })
                .Build();
            Consumer.Subscribe(topic);
        }

        public string Group { get; }

        public string Topic { get; }

        public IConsumer<byte[]?, byte[]?> Consumer { get; }

        public List<TopicPartition> Assigned { get; } = [];

        public int Events { get; private set; }

        public void Dispose() => Consumer.Dispose();
    }
}
