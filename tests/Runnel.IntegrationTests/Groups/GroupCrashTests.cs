using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// A broker process is killed with SIGKILL while offsets are committed as fast as the broker answers:
/// after the restart the committed offset is the last acknowledged commit (or the one in flight at
/// the kill, if its record made it), and a consumer of the group resumes from it.
/// </summary>
public sealed class GroupCrashTests
{
    [Fact]
    public async Task Every_acknowledged_commit_survives_a_SIGKILL_and_the_group_resumes_from_it()
    {
        using var dir = new TempDirectory("group-crash");
        string[] overrides = ["group.initial.rebalance.delay.ms=0", "offsets.topic.num.partitions=3"];
        const string Topic = "orders";
        var group = "crash-" + Guid.NewGuid().ToString("N");
        long acknowledged = -1;
        long attempted = -1;

        await using var broker = await RunnelBrokerProcess.StartAsync(dir.Path, overrides);
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        using (var producer = Clients.CreateProducer(broker.BootstrapServers))
        {
            for (var i = 0; i < 100; i++)
            {
                producer.Produce(Topic, new Message<byte[]?, byte[]?> { Value = [(byte)i] });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        // Commits on the wire, so "acknowledged" means exactly that a response arrived.
        var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(async () => await CommitAsync(client, group, Topic, 0) == 0, "the coordinator loads");
        var committer = Task.Run(async () =>
        {
            // Offsets cycle below the log end (100), so there is always a record to resume at.
            for (long offset = 1; ; offset = (offset % 99) + 1)
            {
                Volatile.Write(ref attempted, offset);
                try
                {
                    Assert.Equal(0, await CommitAsync(client, group, Topic, offset));
                }
                catch (Exception e) when (e is IOException or EndOfStreamException or System.Net.Sockets.SocketException or InvalidOperationException)
                {
                    return; // The broker is gone.
                }

                Volatile.Write(ref acknowledged, offset);
            }
        });
        await Eventually.TrueAsync(() => Volatile.Read(ref acknowledged) >= 50, "commits are acknowledged before the kill\n" + broker.DescribeOutput());
        await broker.KillAsync();
        await Eventually.WithinAsync(committer, "the committer notices the broker is gone");
        await client.DisposeAsync();
        var acknowledgedAtKill = Volatile.Read(ref acknowledged);
        var attemptedAtKill = Volatile.Read(ref attempted);

        await using var restarted = await RunnelBrokerProcess.StartAsync(dir.Path, overrides);
        using var resumed = Clients.CreateConsumer(restarted.BootstrapServers, c => c.GroupId = group);
        long committed = -1;
        await Eventually.TrueAsync(
            () =>
            {
                try
                {
                    committed = resumed.Committed([new TopicPartition(Topic, 0)], TimeSpan.FromSeconds(5))[0].Offset.Value;
                    return true;
                }
                catch (KafkaException)
                {
                    return false; // The coordinator is still loading.
                }
            },
            "the restarted broker answers OffsetFetch");
        Assert.Contains(committed, new[] { acknowledgedAtKill, attemptedAtKill });

        resumed.Subscribe(Topic);
        var first = Clients.ConsumeExactly(resumed, 1)[0];
        Assert.Equal(committed, first.Offset.Value);
        resumed.Close();
    }

    private static async Task<short> CommitAsync(WireClient client, string group, string topic, long offset)
    {
        var response = await client.SendAsync<OffsetCommitResponse>(
            new OffsetCommitRequest
            {
                GroupId = group,
                GenerationIdOrMemberEpoch = -1,
                MemberId = "",
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = topic, Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset }] }],
            },
            8);
        return response.Topics[0].Partitions[0].ErrorCode;
    }
}
