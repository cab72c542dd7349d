using System.Text;
using Confluent.Kafka;
using Runnel.Protocol.Messages;
using Runnel.TestKit;
using Scenario = Runnel.TestKit.AbortedTransactionsScenario;
using StorageTopicPartition = Runnel.Storage.Log.TopicPartition;

namespace Runnel.IntegrationTests.Producers;

/// <summary>
/// read_committed Fetch over <see cref="AbortedTransactionsScenario"/>: aborted transactions whose
/// batches span fetch boundaries, two overlapping ones from different producers, and committed
/// records between them. The transactional batches and markers are appended through the broker's
/// logs, as the coordinator-verified produce path and the transaction coordinator will append them
/// (no client can produce transactionally yet).
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class ReadCommittedFetchTests(BrokerFixture fixture)
{
    private async Task<string> CreateScenarioTopicAsync()
    {
        var topic = await fixture.CreateTopicAsync(prefix: "read-committed");
        var log = fixture.Broker.Host.Logs.GetLog(new StorageTopicPartition(topic, 0))!;
        Scenario.AppendTo(log, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return topic;
    }

    /// <summary>Reads partition 0 from the beginning through its last record (offset 16, "c3"); every record before it shows up first.</summary>
    private List<string> ReadToTheEnd(string topic, IsolationLevel isolation, int maxPartitionFetchBytes)
    {
        using var consumer = fixture.CreateConsumer(c =>
        {
            c.IsolationLevel = isolation;
            c.MaxPartitionFetchBytes = maxPartitionFetchBytes;
        });
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (values.Count == 0 || values[^1] != "c3")
        {
            Assert.True(DateTime.UtcNow < deadline, $"Did not reach the last record; read so far: {string.Join(", ", values)}");
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false } result)
            {
                values.Add(Encoding.UTF8.GetString(result.Message.Value!));
            }
        }

        return values;
    }

    [Theory]
    [InlineData(1)] // one batch per fetch: a fetch boundary after every batch of every transaction
    [InlineData(5000)] // the first fetch holds the two padded batches 0 and 1, ending inside the first aborted transaction
    public async Task A_read_committed_consumer_sees_exactly_the_committed_records(int maxPartitionFetchBytes)
    {
        var topic = await CreateScenarioTopicAsync();

        Assert.Equal(Scenario.CommittedValues, ReadToTheEnd(topic, IsolationLevel.ReadCommitted, maxPartitionFetchBytes));
    }

    [Fact]
    public async Task A_read_uncommitted_consumer_sees_every_data_record()
    {
        var topic = await CreateScenarioTopicAsync();

        Assert.Equal(Scenario.AllValues, ReadToTheEnd(topic, IsolationLevel.ReadUncommitted, maxPartitionFetchBytes: 1));
    }

    [Fact]
    public async Task Fetch_lists_the_aborted_transactions_of_the_returned_range_sorted_by_first_offset()
    {
        var topic = await CreateScenarioTopicAsync();
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);

        // From offset 8, a few small batches: T3 (from 7) and T2 (from 6) are both open there. Their
        // markers come in the order T3, T2; the list starts with T2, as KafkaJS needs.
        var fromEight = await FetchAsync(client, topic, isolationLevel: 1, fetchOffset: 8, maxBytes: 250);
        Assert.Equal([(Scenario.P2, 6L), (Scenario.P3, 7L)], fromEight.AbortedTransactions!.Select(a => (a.ProducerId, a.FirstOffset)));

        var fromStart = await FetchAsync(client, topic, isolationLevel: 1, fetchOffset: 0, maxBytes: 1 << 20);
        Assert.Equal([(Scenario.P1, 1L), (Scenario.P2, 6L), (Scenario.P3, 7L)], fromStart.AbortedTransactions!.Select(a => (a.ProducerId, a.FirstOffset)));

        var atTheEnd = await FetchAsync(client, topic, isolationLevel: 1, fetchOffset: Scenario.LogEndOffset, maxBytes: 1 << 20);
        Assert.Equal(0, atTheEnd.Records?.Length ?? 0);
        Assert.Empty(atTheEnd.AbortedTransactions!);

        var uncommitted = await FetchAsync(client, topic, isolationLevel: 0, fetchOffset: 0, maxBytes: 1 << 20);
        Assert.Null(uncommitted.AbortedTransactions);
    }

    private static async Task<FetchResponse.PartitionData> FetchAsync(WireClient client, string topic, sbyte isolationLevel, long fetchOffset, int maxBytes)
    {
        var response = await client.SendAsync<FetchResponse>(new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = 0,
            MaxBytes = maxBytes,
            IsolationLevel = isolationLevel,
            SessionEpoch = -1,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = fetchOffset, PartitionMaxBytes = maxBytes }] }],
        }, 11, cancellationToken: TestContext.Current.CancellationToken);
        var partition = response.Responses.Single().Partitions.Single();
        Assert.Equal(0, partition.ErrorCode);
        return partition;
    }
}
