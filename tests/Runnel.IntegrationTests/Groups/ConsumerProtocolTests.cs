using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>The consumer group protocol (KIP-848) with librdkafka's <c>group.protocol=consumer</c>.</summary>
[Collection(BrokerCollection.Name)]
public sealed class ConsumerProtocolTests(BrokerFixture fixture)
{
    [Theory]
    [InlineData("uniform")]
    [InlineData("range")]
    public async Task Members_joining_and_leaving_never_share_a_partition_and_process_every_record_once(string assignor)
    {
        const int Partitions = 6;
        var topic = await fixture.CreateTopicAsync(partitions: Partitions);
        var group = "kip848-" + assignor + "-" + Guid.NewGuid().ToString("N");
        var ownership = new Ownership();
        using var producer = fixture.CreateProducer();
        var produced = 0;

        void Produce(int count)
        {
            for (var i = 0; i < count; i++)
            {
                producer.Produce(new TopicPartition(topic, produced % Partitions), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("r" + produced) });
                produced++;
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var first = new TrackedConsumer(0, fixture.BootstrapServers, group, topic, assignor, ownership);
        var members = new List<TrackedConsumer> { first };
        try
        {
            Produce(60);
            await TrackedConsumer.PollUntilAsync(members, () => first.Owned.Count == Partitions);
            AssertStable(members, Partitions);

            Produce(60);
            members.Add(new TrackedConsumer(1, fixture.BootstrapServers, group, topic, assignor, ownership));
            members.Add(new TrackedConsumer(2, fixture.BootstrapServers, group, topic, assignor, ownership));
            await TrackedConsumer.PollUntilAsync(members, () => members.All(m => m.Owned.Count == 2) && members.Sum(m => m.Consumer.Assignment.Count) == Partitions);
            AssertStable(members, Partitions);

            Produce(60);
            await TrackedConsumer.PollUntilAsync(members, () => members.Sum(m => m.Processed.Count) >= 120);
            foreach (var leaving in members.Skip(1).ToList())
            {
                leaving.Close();
                members.Remove(leaving);
            }

            await TrackedConsumer.PollUntilAsync(members, () => first.Owned.Count == Partitions);
            AssertStable(members, Partitions);

            Produce(60);
            await TrackedConsumer.PollUntilAsync(members, () => ownership.ProcessedCount() >= produced);
        }
        finally
        {
            foreach (var member in members)
            {
                member.Close();
            }
        }

        Assert.Empty(ownership.Conflicts);
        Assert.Empty(ownership.CommitFailures);
        var counts = ownership.ProcessedValues();
        Assert.Equal(produced, counts.Count);
        Assert.All(counts, c => Assert.True(c.Value == 1, $"{c.Key} was processed {c.Value} times"));
    }

    [Fact]
    public async Task A_regex_subscription_picks_up_a_topic_created_after_the_member_joined()
    {
        var prefix = "rx" + Guid.NewGuid().ToString("N")[..12];
        using var admin = fixture.CreateAdmin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = prefix + "-a", NumPartitions = 2, ReplicationFactor = 1 }]);
        using var consumer = Clients.CreateConsumer(fixture.BootstrapServers, c =>
        {
            c.GroupId = "kip848-regex-" + Guid.NewGuid().ToString("N");
            c.GroupProtocol = GroupProtocol.Consumer;
        });

        // librdkafka treats a subscription starting with ^ as a regex and sends it as SubscribedTopicRegex.
        consumer.Subscribe("^" + prefix + "-.*");
        await PollUntilAsync(consumer, () => consumer.Assignment.Count == 2);
        Assert.All(consumer.Assignment, tp => Assert.Equal(prefix + "-a", tp.Topic));

        await admin.CreateTopicsAsync([new TopicSpecification { Name = prefix + "-b", NumPartitions = 3, ReplicationFactor = 1 }]);
        await PollUntilAsync(consumer, () => consumer.Assignment.Count == 5);
        Assert.Equal(3, consumer.Assignment.Count(tp => tp.Topic == prefix + "-b"));

        using (var producer = fixture.CreateProducer())
        {
            await producer.ProduceAsync(new TopicPartition(prefix + "-b", 1), new Message<byte[]?, byte[]?> { Value = "late"u8.ToArray() }, TestContext.Current.CancellationToken);
        }

        var record = Clients.ConsumeExactly(consumer, 1);
        Assert.Equal(prefix + "-b", record[0].Topic);
        consumer.Close();
    }

    [Fact]
    public async Task A_static_member_restarting_within_its_session_gets_its_partitions_back_without_a_new_group_epoch()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 4);
        var group = "kip848-static-" + Guid.NewGuid().ToString("N");
        Action<ConsumerConfig> config(string instance) => c =>
        {
            c.GroupId = group;
            c.GroupProtocol = GroupProtocol.Consumer;
            c.GroupInstanceId = instance;
        };

        using var stay = Clients.CreateConsumer(fixture.BootstrapServers, config("stay"));
        var restart = Clients.CreateConsumer(fixture.BootstrapServers, config("restart"));
        stay.Subscribe(topic);
        restart.Subscribe(topic);
        await PollUntilAsync([stay, restart], async () => stay.Assignment.Count == 2 && restart.Assignment.Count == 2 && (await DescribeAsync(group)).GroupState == "Stable");
        var before = await DescribeAsync(group);
        var partitionsBefore = restart.Assignment.Select(tp => tp.Partition.Value).Order().ToList();
        var stayEpoch = before.Members.Single(m => m.InstanceId == "stay").MemberEpoch;

        restart.Close();
        restart.Dispose();
        var left = await DescribeAsync(group);
        Assert.Equal(-2, left.Members.Single(m => m.InstanceId == "restart").MemberEpoch);

        using var again = Clients.CreateConsumer(fixture.BootstrapServers, config("restart"));
        again.Subscribe(topic);
        await PollUntilAsync([stay, again], async () => again.Assignment.Count == 2 && (await DescribeAsync(group)).GroupState == "Stable");
        var after = await DescribeAsync(group);

        Assert.Equal(partitionsBefore, again.Assignment.Select(tp => tp.Partition.Value).Order().ToList());
        Assert.Equal(before.GroupEpoch, after.GroupEpoch);
        Assert.Equal(stayEpoch, after.Members.Single(m => m.InstanceId == "stay").MemberEpoch);
        Assert.Equal(2, stay.Assignment.Count);
        stay.Close();
        again.Close();
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_removed_after_the_session_timeout_and_its_partitions_move()
    {
        var options = new RunnelBrokerOptions
        {
            Config = new Dictionary<string, string>(BrokerFixture.Config)
            {
                ["group.consumer.session.timeout.ms"] = "2000",
                ["group.consumer.min.session.timeout.ms"] = "1000",
                ["offsets.topic.num.partitions"] = "3",
            },
        };
        await using var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken);
        var topic = BrokerFixture.NewTopicName("kip848-expiry");
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = 1 }]);
        }

        var group = "kip848-expiry-" + Guid.NewGuid().ToString("N");
        using var survivor = Clients.CreateConsumer(broker.BootstrapServers, c =>
        {
            c.GroupId = group;
            c.GroupProtocol = GroupProtocol.Consumer;
        });
        survivor.Subscribe(topic);
        await PollUntilAsync(survivor, () => survivor.Assignment.Count == 4);

        await using var silent = await WireConsumerMember.ConnectAsync(broker.Port, group);
        Assert.Equal(0, (await silent.JoinAsync([topic])).ErrorCode);
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (silent.Assigned.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the wire member never got its partitions");
            survivor.Consume(TimeSpan.FromMilliseconds(50));
            Assert.Equal(0, (await silent.HeartbeatAsync()).ErrorCode);
        }

        await PollUntilAsync(survivor, () => survivor.Assignment.Count == 2);

        // From here on the wire member is silent: after 2 s the survivor owns everything again.
        await PollUntilAsync(survivor, () => survivor.Assignment.Count == 4);
        Assert.Equal((short)Protocol.ErrorCode.UnknownMemberId, (await silent.HeartbeatAsync()).ErrorCode);
        survivor.Close();
    }

    [Fact]
    public async Task Committed_offsets_and_member_epochs_survive_a_broker_restart()
    {
        using var dir = new TempDirectory();
        var options = new RunnelBrokerOptions { DataDirectory = dir.Path, Config = new Dictionary<string, string>(BrokerFixture.Config) { ["offsets.topic.num.partitions"] = "3" } };
        var topic = BrokerFixture.NewTopicName("kip848-restart");
        var group = "kip848-restart-" + Guid.NewGuid().ToString("N");
        var wireGroup = group + "-wire";
        WireConsumerMember wire;
        int wireEpoch;
        List<(Guid, int)> wireAssigned;
        await using (var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken))
        {
            using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }]);
            }

            using (var producer = Clients.CreateProducer(broker.BootstrapServers))
            {
                for (var i = 0; i < 20; i++)
                {
                    await producer.ProduceAsync(new TopicPartition(topic, i % 2), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("r" + i) }, TestContext.Current.CancellationToken);
                }
            }

            using var consumer = Clients.CreateConsumer(broker.BootstrapServers, c =>
            {
                c.GroupId = group;
                c.GroupProtocol = GroupProtocol.Consumer;
            });
            consumer.Subscribe(topic);
            Clients.ConsumeExactly(consumer, 20);
            CommitWithRetry(consumer, [new TopicPartitionOffset(topic, 0, 7), new TopicPartitionOffset(topic, 1, 9)]);
            consumer.Close();

            wire = await WireConsumerMember.ConnectAsync(broker.Port, wireGroup);
            Assert.Equal(0, (await wire.JoinAsync([topic])).ErrorCode);
            Assert.Equal(0, (await wire.HeartbeatAsync()).ErrorCode);
            wireEpoch = wire.MemberEpoch;
            wireAssigned = wire.Assigned;
            Assert.Equal(2, wireAssigned.Count);
            await wire.DisposeAsync();
        }

        await using (var broker = await RunnelBroker.StartAsync(options, TestContext.Current.CancellationToken))
        {
            // The wire member carries on at its epoch, with its assignment: nothing was lost.
            await using var resumed = await WireConsumerMember.ConnectAsync(broker.Port, wireGroup);
            var request = new ConsumerGroupHeartbeatRequest
            {
                GroupId = wireGroup,
                MemberId = wire.MemberId,
                MemberEpoch = wireEpoch,
                RebalanceTimeoutMs = 10_000,
                SubscribedTopicNames = [topic],
                TopicPartitions = wireAssigned.GroupBy(p => p.Item1).Select(g => new ConsumerGroupHeartbeatRequest.TopicPartitionsStruct { TopicId = g.Key, Partitions = g.Select(p => p.Item2).ToList() }).ToList(),
            };
            var response = await RetryWhileLoadingAsync(() => resumed.SendAsync(request));
            Assert.Equal(0, response.ErrorCode);
            Assert.Equal(wireEpoch, response.MemberEpoch);
            Assert.Equal(wireAssigned.Order(), response.Assignment!.TopicPartitions.SelectMany(t => t.Partitions.Select(p => (t.TopicId, p))).Order());

            using var consumer = Clients.CreateConsumer(broker.BootstrapServers, c =>
            {
                c.GroupId = group;
                c.GroupProtocol = GroupProtocol.Consumer;
            });
            consumer.Subscribe(topic);
            var records = Clients.ConsumeExactly(consumer, (10 - 7) + (10 - 9));
            Assert.Equal(7, records.Where(r => r.Partition == 0).Min(r => r.Offset.Value));
            Assert.Equal(9, records.Where(r => r.Partition == 1).Min(r => r.Offset.Value));
            consumer.Close();
        }
    }

    [Fact]
    public async Task The_admin_client_lists_and_describes_a_consumer_protocol_group()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 3);
        var group = "kip848-admin-" + Guid.NewGuid().ToString("N");
        using var consumer = Clients.CreateConsumer(fixture.BootstrapServers, c =>
        {
            c.GroupId = group;
            c.ClientId = "kip848-describe-me";
            c.GroupProtocol = GroupProtocol.Consumer;
        });
        consumer.Subscribe(topic);
        await PollUntilAsync([consumer], async () => consumer.Assignment.Count == 3 && (await DescribeAsync(group)).GroupState == "Stable");

        using var admin = fixture.CreateAdmin();
        var listed = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchTypes = [ConsumerGroupType.Consumer] });
        var listing = Assert.Single(listed.Valid, g => g.GroupId == group);
        Assert.Equal(ConsumerGroupType.Consumer, listing.Type);
        var classicOnly = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchTypes = [ConsumerGroupType.Classic] });
        Assert.DoesNotContain(classicOnly.Valid, g => g.GroupId == group);

        var described = Assert.Single((await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions);
        Assert.Equal(ErrorCode.NoError, described.Error.Code);
        Assert.Equal(ConsumerGroupType.Consumer, described.GroupType);
        Assert.Equal("uniform", described.PartitionAssignor);
        var member = Assert.Single(described.Members);
        Assert.Equal("kip848-describe-me", member.ClientId);
        Assert.Equal([0, 1, 2], member.Assignment.TopicPartitions.Where(tp => tp.Topic == topic).Select(tp => tp.Partition.Value).Order());
        Assert.Equal([0, 1, 2], member.TargetAssignment!.TopicPartitions.Where(tp => tp.Topic == topic).Select(tp => tp.Partition.Value).Order());
        consumer.Close();
    }

    /// <summary>ConsumerGroupDescribe on the wire, for what the admin client does not show (epochs).</summary>
    private async Task<ConsumerGroupDescribeResponse.DescribedGroup> DescribeAsync(string group)
    {
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);
        var response = await client.SendAsync<ConsumerGroupDescribeResponse>(new ConsumerGroupDescribeRequest { GroupIds = [group] }, 1, cancellationToken: TestContext.Current.CancellationToken);
        return response.Groups.Single();
    }

    private static async Task<ConsumerGroupHeartbeatResponse> RetryWhileLoadingAsync(Func<Task<ConsumerGroupHeartbeatResponse>> send)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (true)
        {
            var response = await send();
            if (response.ErrorCode != (short)Protocol.ErrorCode.CoordinatorLoadInProgress || DateTime.UtcNow > deadline)
            {
                return response;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static void AssertStable(List<TrackedConsumer> members, int partitions)
    {
        var all = members.SelectMany(m => m.Consumer.Assignment.Select(tp => tp.Partition.Value)).ToList();
        Assert.Equal(partitions, all.Count);
        Assert.Equal(Enumerable.Range(0, partitions), all.Order());
    }

    private static Task PollUntilAsync(IConsumer<byte[]?, byte[]?> consumer, Func<bool> condition) => PollUntilAsync([consumer], () => Task.FromResult(condition()));

    private static async Task PollUntilAsync(IConsumer<byte[]?, byte[]?>[] consumers, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the group never reached the expected state");
            foreach (var consumer in consumers)
            {
                consumer.Consume(TimeSpan.FromMilliseconds(50));
            }

            await Task.Yield();
        }
    }

    /// <summary>
    /// Commits synchronously. A manual commit racing an epoch bump gets STALE_MEMBER_EPOCH, which
    /// librdkafka does not retry for manual commits; the member still owns the partitions (no
    /// revocation can complete while this thread is not polling), so retrying is safe.
    /// </summary>
    internal static void CommitWithRetry(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<TopicPartitionOffset> offsets)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                consumer.Commit(offsets);
                return;
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.StaleMemberEpoch && attempt < 100)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Who owns what, as the rebalance handlers tell it, and what was processed.</summary>
    private sealed class Ownership
    {
        private readonly Dictionary<int, int> _owners = new();
        private readonly Dictionary<string, int> _processed = new();

        public List<string> Conflicts { get; } = new();

        public List<string> CommitFailures { get; } = new();

        public void Assigned(int member, IEnumerable<int> partitions)
        {
            foreach (var partition in partitions)
            {
                if (_owners.TryGetValue(partition, out var owner) && owner != member)
                {
                    Conflicts.Add($"partition {partition} assigned to {member} while {owner} owns it");
                }

                _owners[partition] = member;
            }
        }

        public void Released(int member, IEnumerable<int> partitions)
        {
            foreach (var partition in partitions)
            {
                if (_owners.TryGetValue(partition, out var owner) && owner == member)
                {
                    _owners.Remove(partition);
                }
            }
        }

        public void Processed(string value) => _processed[value] = _processed.GetValueOrDefault(value) + 1;

        public int ProcessedCount() => _processed.Count;

        public Dictionary<string, int> ProcessedValues() => new(_processed);
    }

    /// <summary>A librdkafka consumer-protocol member that processes each record and commits it before the next.</summary>
    private sealed class TrackedConsumer
    {
        private readonly Ownership _ownership;
        private bool _closed;

        public TrackedConsumer(int index, string bootstrap, string group, string topic, string assignor, Ownership ownership)
        {
            _ownership = ownership;
            Consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = group,
                GroupProtocol = GroupProtocol.Consumer,
                GroupRemoteAssignor = assignor,
                EnableAutoCommit = false,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                SocketTimeoutMs = 10_000,
                FetchWaitMaxMs = 100,
            })
                .SetPartitionsAssignedHandler((_, partitions) =>
                {
                    ownership.Assigned(index, partitions.Select(p => p.Partition.Value));
                    foreach (var p in partitions)
                    {
                        Owned.Add(p.Partition.Value);
                    }
                })
                .SetPartitionsRevokedHandler((_, partitions) =>
                {
                    ownership.Released(index, partitions.Select(p => p.Partition.Value));
                    foreach (var p in partitions)
                    {
                        Owned.Remove(p.Partition.Value);
                    }
                })
                .SetPartitionsLostHandler((_, partitions) =>
                {
                    ownership.Released(index, partitions.Select(p => p.Partition.Value));
                    foreach (var p in partitions)
                    {
                        Owned.Remove(p.Partition.Value);
                    }
                })
                .Build();
            Consumer.Subscribe(topic);
        }

        public IConsumer<byte[]?, byte[]?> Consumer { get; }

        public HashSet<int> Owned { get; } = new();

        public List<string> Processed { get; } = new();

        public void PollOnce()
        {
            var result = Consumer.Consume(TimeSpan.FromMilliseconds(20));
            if (result is null || result.IsPartitionEOF)
            {
                return;
            }

            var value = Encoding.UTF8.GetString(result.Message.Value!);
            _ownership.Processed(value);
            Processed.Add(value);
            try
            {
                CommitWithRetry(Consumer, [new TopicPartitionOffset(result.TopicPartition, result.Offset + 1)]);
            }
            catch (KafkaException ex)
            {
                _ownership.CommitFailures.Add($"{result.TopicPartitionOffset}: {ex.Error}");
            }
        }

        public static async Task PollUntilAsync(List<TrackedConsumer> members, Func<bool> condition)
        {
            var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, $"the group never reached the expected state; owned: {string.Join(" | ", members.Select(m => string.Join(",", m.Owned.Order())))}");
                foreach (var member in members)
                {
                    member.PollOnce();
                }

                await Task.Yield();
            }
        }

        public void Close()
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            Consumer.Close();
            Consumer.Dispose();
        }
    }
}
