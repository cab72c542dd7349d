using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Producers;

/// <summary>
/// Idempotent producers (KIP-98): InitProducerId hands out ids that stay unique across restarts, and
/// the broker answers a retried batch with its original offset, refuses gaps and fenced epochs.
/// </summary>
public sealed class IdempotentProducerTests
{
    private const string Topic = "orders";

    private static async Task<RunnelBroker> StartAsync(string dataDirectory) =>
        await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dataDirectory }, TestContext.Current.CancellationToken);

    private static async Task CreateTopicAsync(RunnelBroker broker)
    {
        using var admin = Clients.CreateAdmin(broker.BootstrapServers);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1 }]);
    }

    private static async Task<InitProducerIdResponse> InitProducerIdAsync(WireClient client, string? transactionalId = null) =>
        await client.SendAsync<InitProducerIdResponse>(
            new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = 60_000, ProducerId = -1, ProducerEpoch = -1 }, 4,
            cancellationToken: TestContext.Current.CancellationToken);

    private static byte[] Batch(long producerId, short epoch, int baseSequence, string value) =>
        new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = baseSequence }
            .Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, Encoding.UTF8.GetBytes(value)).ToArray();

    private static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(WireClient client, byte[] batch)
    {
        var response = await client.SendAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = Topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        }, 9, cancellationToken: TestContext.Current.CancellationToken);
        return response.Responses[0].PartitionResponses[0];
    }

    [Fact]
    public async Task A_retried_batch_gets_its_original_offset_even_after_a_restart_and_producer_ids_are_never_reused()
    {
        using var dir = new TempDirectory("idempotence");
        long producerId;
        byte[] first, second;
        long firstOffset;
        await using (var broker = await StartAsync(dir.Path))
        {
            await CreateTopicAsync(broker);
            await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);
            var init = await InitProducerIdAsync(client);
            Assert.Equal(0, init.ErrorCode);
            Assert.Equal(0, init.ProducerEpoch);
            producerId = init.ProducerId;
            Assert.NotEqual(producerId, (await InitProducerIdAsync(client)).ProducerId);

            first = Batch(producerId, 0, 0, "a");
            second = Batch(producerId, 0, 1, "b");
            var appended = await ProduceAsync(client, first);
            Assert.Equal(0, appended.ErrorCode);
            firstOffset = appended.BaseOffset;
            Assert.Equal(firstOffset + 1, (await ProduceAsync(client, second)).BaseOffset);

            var retry = await ProduceAsync(client, Batch(producerId, 0, 0, "a"));
            Assert.Equal((0, firstOffset), (retry.ErrorCode, retry.BaseOffset));

            var gap = await ProduceAsync(client, Batch(producerId, 0, 5, "gap"));
            Assert.Equal((short)Runnel.Protocol.ErrorCode.OutOfOrderSequenceNumber, gap.ErrorCode);

            var described = await client.SendAsync<DescribeProducersResponse>(new DescribeProducersRequest
            {
                Topics = [new DescribeProducersRequest.TopicRequest { Name = Topic, PartitionIndexes = [0, 7] }],
            }, 0, cancellationToken: TestContext.Current.CancellationToken);
            var partitions = described.Topics.Single().Partitions;
            var producer = Assert.Single(partitions[0].ActiveProducers);
            Assert.Equal((producerId, 0, 1), (producer.ProducerId, producer.ProducerEpoch, producer.LastSequence));
            Assert.Equal((short)Runnel.Protocol.ErrorCode.UnknownTopicOrPartition, partitions[1].ErrorCode);
        }

        await using (var broker = await StartAsync(dir.Path))
        {
            await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);
            var retry = await ProduceAsync(client, Batch(producerId, 0, 1, "b"));
            Assert.Equal((0, firstOffset + 1), (retry.ErrorCode, retry.BaseOffset));

            // A new block after the restart: no id of the old block is handed out again.
            var init = await InitProducerIdAsync(client);
            Assert.True(init.ProducerId >= producerId + 2 && init.ProducerId / 1000 > producerId / 1000, $"{init.ProducerId} after {producerId}");

            using var consumer = Clients.CreateConsumer(broker.BootstrapServers);
            consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
            var values = Clients.ConsumeExactly(consumer, 2).Select(r => Encoding.UTF8.GetString(r.Message.Value!)).ToList();
            Assert.Equal(["a", "b"], values);
            Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(300)));
        }
    }

    [Fact]
    public async Task An_older_epoch_is_fenced_and_a_new_epoch_must_start_at_sequence_zero()
    {
        using var dir = new TempDirectory("idempotence");
        await using var broker = await StartAsync(dir.Path);
        await CreateTopicAsync(broker);
        await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);
        var producerId = (await InitProducerIdAsync(client)).ProducerId;

        Assert.Equal(0, (await ProduceAsync(client, Batch(producerId, 1, 0, "epoch 1"))).ErrorCode);

        Assert.Equal((short)Runnel.Protocol.ErrorCode.InvalidProducerEpoch, (await ProduceAsync(client, Batch(producerId, 0, 1, "stale"))).ErrorCode);
        Assert.Equal((short)Runnel.Protocol.ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(client, Batch(producerId, 2, 7, "not from 0"))).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, Batch(producerId, 2, 0, "epoch 2"))).ErrorCode);
    }

    [Fact]
    public async Task InitProducerId_refuses_an_empty_transactional_id_and_a_producer_id_without_its_epoch()
    {
        using var dir = new TempDirectory("idempotence");
        await using var broker = await StartAsync(dir.Path);
        await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);

        Assert.Equal((short)Runnel.Protocol.ErrorCode.InvalidRequest, (await InitProducerIdAsync(client, "")).ErrorCode);
        var halfGiven = await client.SendAsync<InitProducerIdResponse>(
            new InitProducerIdRequest { TransactionTimeoutMs = 60_000, ProducerId = 5, ProducerEpoch = -1 }, 4,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((short)Runnel.Protocol.ErrorCode.InvalidRequest, halfGiven.ErrorCode);
        Assert.Equal(-1, halfGiven.ProducerId);
    }

    [Fact]
    public async Task A_Confluent_Kafka_idempotent_producer_writes_every_record_once_in_order()
    {
        using var dir = new TempDirectory("idempotence");
        await using var broker = await StartAsync(dir.Path);
        await CreateTopicAsync(broker);
        const int Count = 5000;
        using (var producer = Clients.CreateProducer(broker.BootstrapServers, c =>
        {
            c.EnableIdempotence = true;
            c.Acks = Acks.All;
            c.LingerMs = 2;
            c.BatchSize = 2048;
        }))
        {
            var failures = 0;
            for (var i = 0; i < Count; i++)
            {
                producer.Produce(Topic, new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
                    report => { if (report.Error.IsError) { Interlocked.Increment(ref failures); } });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, failures);
        }

        using var consumer = Clients.CreateConsumer(broker.BootstrapServers);
        consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
        var values = Clients.ConsumeExactly(consumer, Count).Select(r => int.Parse(Encoding.UTF8.GetString(r.Message.Value!), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(0, Count), values);
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(300)));
    }
}
