using System.Text;
using Confluent.Kafka;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// Consumers join and leave one group (1 → 3 → 1) while records arrive, each committing exactly what
/// it processed when partitions are taken away. Checks at every poll that no partition is owned by
/// two members, at every stable point that every partition is owned, and at the end that every
/// record was processed exactly once. The protocol under test comes from <c>configure</c>.
/// </summary>
internal sealed class GroupChurnScenario(string bootstrap, string topic, int partitions, Action<ConsumerConfig> configure)
{
    private readonly string _group = "churn-" + Guid.NewGuid().ToString("N");
    private readonly List<Member> _members = [];
    private readonly HashSet<(int Partition, long Offset)> _processed = [];
    private readonly List<string> _duplicates = [];
    private int _produced;

    public async Task RunAsync()
    {
        using var producer = Clients.CreateProducer(bootstrap);
        Join();
        await WaitForStableAsync("one member owns every partition");
        Produce(producer, 120);
        await ConsumeAllAsync();

        Join();
        Join();
        await WaitForStableAsync("three members share the partitions");
        Produce(producer, 120);
        await ConsumeAllAsync();

        Leave(_members[^1]);
        Leave(_members[^1]);
        await WaitForStableAsync("the last member owns every partition again");
        Produce(producer, 120);
        await ConsumeAllAsync();

        Assert.Empty(_duplicates);
        Assert.Equal(_produced, _processed.Count);
        Leave(_members[^1]);
    }

    private void Join()
    {
        var member = new Member();
        member.Consumer = Clients.CreateConsumerBuilder(bootstrap, c =>
            {
                c.GroupId = _group;
                configure(c);
            })
            .SetPartitionsAssignedHandler((_, assigned) => member.Owned.UnionWith(assigned.Select(p => p.Partition.Value)))
            .SetPartitionsRevokedHandler((consumer, revoked) =>
            {
                // Commit exactly what was processed before the partitions move on.
                var commits = new List<TopicPartitionOffset>();
                foreach (var partition in revoked)
                {
                    if (member.Next.TryGetValue(partition.Partition.Value, out var next))
                    {
                        commits.Add(new TopicPartitionOffset(partition.TopicPartition, next));
                    }

                    member.Owned.Remove(partition.Partition.Value);
                }

                if (commits.Count > 0)
                {
                    consumer.Commit(commits);
                }
            })
            .Build();
        member.Consumer.Subscribe(topic);
        _members.Add(member);
    }

    private void Leave(Member member)
    {
        try
        {
            member.Consumer.Close();
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.UnknownMemberId)
        {
            // Closing while a rejoin is in flight: the LeaveGroup removes the member and its pending
            // JoinGroup is answered UNKNOWN_MEMBER_ID (as Kafka does), which librdkafka reports from
            // Close. The member has left either way; what it processed is checked at the end.
        }

        member.Consumer.Dispose();
        _members.Remove(member);
    }

    private void Produce(IProducer<byte[]?, byte[]?> producer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("r" + (_produced + i)) });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        _produced += count;
    }

    private Task WaitForStableAsync(string because) =>
        Eventually.TrueAsync(
            () =>
            {
                PollEveryone();
                var owned = 0;
                foreach (var member in _members)
                {
                    if (member.Owned.Count == 0)
                    {
                        return false;
                    }

                    owned += member.Owned.Count;
                }

                return owned == partitions;
            },
            because,
            TimeSpan.FromSeconds(60));

    private Task ConsumeAllAsync() =>
        Eventually.TrueAsync(
            () =>
            {
                PollEveryone();
                return _processed.Count + _duplicates.Count >= _produced;
            },
            "every produced record is processed",
            TimeSpan.FromSeconds(60));

    private void PollEveryone()
    {
        foreach (var member in _members)
        {
            // Drain what is buffered: one record per check would make the test crawl.
            var wait = TimeSpan.FromMilliseconds(20);
            while (member.Consumer.Consume(wait) is { } result)
            {
                wait = TimeSpan.Zero;
                if (result.IsPartitionEOF || result.Message is null)
                {
                    continue;
                }

                var partition = result.Partition.Value;
                Assert.Contains(partition, member.Owned);
                if (!_processed.Add((partition, result.Offset.Value)))
                {
                    _duplicates.Add($"{partition}@{result.Offset.Value}");
                }

                member.Next[partition] = result.Offset.Value + 1;
            }
        }

        // No partition is ever owned by two members at once.
        var seen = new HashSet<int>();
        foreach (var member in _members)
        {
            foreach (var partition in member.Owned)
            {
                Assert.True(seen.Add(partition), $"partition {partition} is owned by two members");
            }
        }
    }

    private sealed class Member
    {
        public IConsumer<byte[]?, byte[]?> Consumer { get; set; } = null!;

        public HashSet<int> Owned { get; } = [];

        public Dictionary<int, long> Next { get; } = [];
    }
}
