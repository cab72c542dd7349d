using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;
using Runnel.TestKit;
using StorageTopicPartition = Runnel.Storage.Log.TopicPartition;

namespace Runnel.IntegrationTests.Producers;

/// <summary>
/// The partition side of transactions: a transactional batch holds the last stable offset until a
/// commit marker (written here as the coordinator will write it) releases it, so a read_committed
/// Confluent.Kafka consumer sees nothing of an open transaction and everything once it commits,
/// while read_uncommitted sees it at once.
/// </summary>
public sealed class LastStableOffsetTests
{
    private const string Topic = "ledger";

    [Fact]
    public async Task Read_committed_consumers_stop_at_an_open_transaction_until_its_commit_marker()
    {
        using var dir = new TempDirectory("lso");
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path }, TestContext.Current.CancellationToken);
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);
        await ProduceAsync(client, new RecordBatchBuilder().Append(Now, null, "before"u8.ToArray()).ToArray());
        const long ProducerId = 9000;
        var transactional = new RecordBatchBuilder { ProducerId = ProducerId, ProducerEpoch = 0, BaseSequence = 0, IsTransactional = true }
            .Append(Now, null, "in transaction"u8.ToArray()).ToArray();

        // A transactional batch needs the request's transactional id (Kafka's answer without one)...
        Assert.Equal((short)Runnel.Protocol.ErrorCode.TransactionalIdAuthorizationFailed, await ProduceAsync(client, transactional, expectError: true));

        // ...so the batch goes in as the coordinator-verified produce path appends it.
        var log = broker.Host.Logs.GetLog(new StorageTopicPartition(Topic, 0))!;
        log.Append(transactional, 0, false);
        await ProduceAsync(client, new RecordBatchBuilder().Append(Now, null, "after"u8.ToArray()).ToArray());

        Assert.Equal(1, await LatestAsync(client, isolationLevel: 1));
        Assert.Equal(3, await LatestAsync(client, isolationLevel: 0));
        Assert.Equal(["before"], ReadAll(broker.BootstrapServers, IsolationLevel.ReadCommitted, expected: 1));
        Assert.Equal(["before", "in transaction", "after"], ReadAll(broker.BootstrapServers, IsolationLevel.ReadUncommitted, expected: 3));

        log.Append(new RecordBatchBuilder { ProducerId = ProducerId, ProducerEpoch = 0 }.AppendEndTransactionMarker(ControlRecordType.Commit, 0, Now).ToArray(), 0, false);

        Assert.Equal(4, await LatestAsync(client, isolationLevel: 1));
        Assert.Equal(["before", "in transaction", "after"], ReadAll(broker.BootstrapServers, IsolationLevel.ReadCommitted, expected: 3));
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static async Task<short> ProduceAsync(WireClient client, byte[] batch, bool expectError = false)
    {
        var response = await client.SendAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = Topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        }, 9, cancellationToken: TestContext.Current.CancellationToken);
        var error = response.Responses[0].PartitionResponses[0].ErrorCode;
        Assert.True(expectError || error == 0, $"produce failed with error {error}");
        return error;
    }

    private static async Task<long> LatestAsync(WireClient client, sbyte isolationLevel)
    {
        var response = await client.SendAsync<ListOffsetsResponse>(new ListOffsetsRequest
        {
            ReplicaId = -1,
            IsolationLevel = isolationLevel,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = Topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 }] }],
        }, 7, cancellationToken: TestContext.Current.CancellationToken);
        return response.Topics[0].Partitions[0].Offset;
    }

    /// <summary>Reads <paramref name="expected"/> values, then checks no more arrive within a few fetches.</summary>
    private static List<string> ReadAll(string bootstrap, IsolationLevel isolation, int expected)
    {
        using var consumer = Clients.CreateConsumer(bootstrap, c => c.IsolationLevel = isolation);
        consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
        var values = Clients.ConsumeExactly(consumer, expected).Select(r => Encoding.UTF8.GetString(r.Message.Value!)).ToList();
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(500)));
        return values;
    }
}
