using System.Text;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Time.Testing;
using Runnel.Broker;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;
using Runnel.TestKit;
using StorageTopicPartition = Runnel.Storage.Log.TopicPartition;

namespace Runnel.IntegrationTests.Transactions;

/// <summary>
/// The coordinator's clocks, on a <see cref="FakeTimeProvider"/> so every deadline passes exactly
/// when the test moves time: a transaction its producer abandoned is aborted at the first check
/// after <c>transaction.timeout.ms</c>, not before; an idle transactional id is forgotten after
/// <c>transactional.id.expiration.ms</c>, also across a restart.
/// </summary>
public sealed class TransactionClockTests
{
    private const string Topic = "clocked";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> Config = new()
    {
        ["transaction.abort.timed.out.transaction.cleanup.interval.ms"] = "1000",
        ["transactional.id.expiration.ms"] = "60000",
        ["transaction.remove.expired.transaction.cleanup.interval.ms"] = "5000",
        // The clock jumps: idle connections would be closed under the clients.
        ["connections.max.idle.ms"] = "86400000",
    };

    private static async Task<RunnelBroker> StartAsync(string dataDirectory, FakeTimeProvider time)
    {
        var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dataDirectory, Config = Config, TimeProvider = time }, Cancel);
        await broker.Host.TransactionCoordinator.Load.Start().WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        return broker;
    }

    private static async Task<string> StateAsync(WireClient client, string transactionalId)
    {
        var described = await client.SendAsync<DescribeTransactionsResponse>(new DescribeTransactionsRequest { TransactionalIds = [transactionalId] }, 0, cancellationToken: Cancel);
        var state = described.TransactionStates[0];
        return state.ErrorCode == 0 ? state.TransactionState : ((ErrorCode)state.ErrorCode).ToString();
    }

    [Fact]
    public async Task An_abandoned_transaction_is_aborted_at_the_first_check_past_its_timeout()
    {
        using var dir = new TempDirectory("txn-clock");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var broker = await StartAsync(dir.Path, time);
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, Cancel);
        var init = await client.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = "abandoned", TransactionTimeoutMs = 10_000, ProducerId = -1, ProducerEpoch = -1 }, 4, cancellationToken: Cancel);
        var added = await client.SendAsync<AddPartitionsToTxnResponse>(new AddPartitionsToTxnRequest
        {
            V3AndBelowTransactionalId = "abandoned",
            V3AndBelowProducerId = init.ProducerId,
            V3AndBelowProducerEpoch = init.ProducerEpoch,
            V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = Topic, Partitions = [0] }],
        }, 0, cancellationToken: Cancel);
        Assert.Equal(0, added.ResultsByTopicV3AndBelow[0].ResultsByPartition[0].PartitionErrorCode);
        var batch = new RecordBatchBuilder { ProducerId = init.ProducerId, ProducerEpoch = init.ProducerEpoch, BaseSequence = 0, IsTransactional = true }
            .Append(time.GetUtcNow().ToUnixTimeMilliseconds(), null, Encoding.UTF8.GetBytes("left open")).ToArray();
        var produced = await client.SendAsync<ProduceResponse>(new ProduceRequest
        {
            TransactionalId = "abandoned",
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = Topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        }, 9, cancellationToken: Cancel);
        Assert.Equal(0, produced.Responses[0].PartitionResponses[0].ErrorCode);
        var log = broker.Host.Logs.GetLog(new StorageTopicPartition(Topic, 0))!;
        Assert.Equal(0, log.LastStableOffset);

        // Nine seconds and several checks later the transaction is still within its timeout.
        for (var i = 0; i < 9; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal("Ongoing", await StateAsync(client, "abandoned"));
        Assert.Equal(0, log.LastStableOffset);

        // The first check after the timeout fences and aborts it; the partition is stable again.
        time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => log.LastStableOffset == log.HighWatermark, "the abort marker releases the last stable offset");
        Assert.Equal(2, log.HighWatermark);
        Assert.Equal("CompleteAbort", await StateAsync(client, "abandoned"));

        // The abort fenced the producer (the marker carries the bumped epoch).
        var fenced = await client.SendAsync<ProduceResponse>(new ProduceRequest
        {
            TransactionalId = "abandoned",
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = Topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        }, 9, cancellationToken: Cancel);
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, fenced.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task An_idle_transactional_id_expires_and_stays_forgotten_after_a_restart()
    {
        using var dir = new TempDirectory("txn-expiry");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        long firstProducerId;
        await using (var broker = await StartAsync(dir.Path, time))
        {
            await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, Cancel);
            var init = await client.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = "idle", TransactionTimeoutMs = 10_000, ProducerId = -1, ProducerEpoch = -1 }, 4, cancellationToken: Cancel);
            firstProducerId = init.ProducerId;
            Assert.Equal("Empty", await StateAsync(client, "idle"));

            time.Advance(TimeSpan.FromSeconds(55));
            Assert.Equal("Empty", await StateAsync(client, "idle"));
            time.Advance(TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(async () => await StateAsync(client, "idle") == nameof(ErrorCode.TransactionalIdNotFound), "the idle id expires");
        }

        await using (var broker = await StartAsync(dir.Path, time))
        {
            await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, Cancel);
            Assert.Equal(nameof(ErrorCode.TransactionalIdNotFound), await StateAsync(client, "idle"));

            // A new producer with that id starts over: a new producer id at epoch 0.
            var init = await client.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = "idle", TransactionTimeoutMs = 10_000, ProducerId = -1, ProducerEpoch = -1 }, 4, cancellationToken: Cancel);
            Assert.Equal((short)0, init.ProducerEpoch);
            Assert.NotEqual(firstProducerId, init.ProducerId);
        }
    }
}
