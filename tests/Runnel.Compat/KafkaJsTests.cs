using Confluent.Kafka;
using Runnel.Compat.ClientWrappers;
using Runnel.Compat.Infrastructure;

namespace Runnel.Compat;

[CollectionDefinition(Name)]
public sealed class KafkaJsBroker : ICollectionFixture<BrokerProcess>
{
    public const string Name = "kafkajs";
}

/// <summary>
/// KafkaJS 2.2.4 (npm) against a broker process, cross-checked with Confluent.Kafka. KafkaJS
/// never uses flexible versions (Produce up to v7, Metadata up to v6) and consumes only through a
/// consumer group, so its consumer also exercises the group coordinator.
/// </summary>
[Collection(KafkaJsBroker.Name)]
public sealed class KafkaJsTests(BrokerProcess broker) : CompatTest(broker)
{
    private const int Count = 20;

    private readonly KafkaJsClient _client = new(broker.BootstrapServers);

    [Theory]
    [InlineData("none", false)]
    [InlineData("gzip", false)]
    [InlineData("none", true)]
    public async Task Producer_send_records_with_headers_are_read_back_exactly_by_ConfluentKafka(string compression, bool idempotent)
    {
        var topic = await DotNet.CreateTopicAsync("kafkajs");

        var result = await _client.ProduceAsync(topic, 0, Count, compression, idempotent);

        AssertSucceeded(result, "producer.send");
        AssertSequence(
            [$"{topic}[0] error 0 base offset 0"],
            result.JsonLines.Events("sent").Select(s => $"{s.GetStringOrNull("topicName")}[{s.GetProperty("partition")}] error {s.GetProperty("errorCode")} base offset {s.GetStringOrNull("baseOffset")}"),
            "record metadata producer.send returned",
            () => Context(result));
        await AssertReadBackAsync(result, topic, Count, "kafkajs", compression);
    }

    /// <summary>
    /// KafkaJS transactions (InitProducerId v1, AddPartitionsToTxn/AddOffsetsToTxn/EndTxn v1,
    /// TxnOffsetCommit v1): Confluent.Kafka (read_committed) reads the committed records in order, the
    /// aborted ones only read_uncommitted; a KafkaJS consumer (read_committed by default) reads the
    /// same committed records; the offsets sent to the last transaction are the group's; a second
    /// instance with the same transactional id aborts the first one's open transaction and fences it.
    /// </summary>
    [Fact]
    public async Task Transactions_commit_abort_and_sendOffsets_are_read_back_by_ConfluentKafka_and_KafkaJS()
    {
        var topic = await DotNet.CreateTopicAsync("kafkajs-txn");
        var group = "txn-" + topic;

        var result = await _client.TransactionsAsync(topic, 0, Count, group);

        AssertSucceeded(result, "producer.transaction()");
        var committed = Enumerable.Range(0, Count).Select(i => $"txn0-{i}").Concat(Enumerable.Range(0, Count).Select(i => $"txn2-{i}"))
            .Append("offsets-sent").Append("from-the-successor").ToList();
        Assert.Single(result.JsonLines.Events("zombie_fenced"));
        var read = DotNet.ConsumeFromBeginning(topic, 0, committed.Count, () => Context(result)).Select(r => System.Text.Encoding.UTF8.GetString(r.Message.Value!));
        AssertSequence(committed, read, "records read_committed (Confluent.Kafka)", () => Context(result));
        Assert.Equal(committed.Count, DotNet.CountCommitted(topic, 0));
        AssertSequence([(long)Count], DotNet.Committed(group, topic, 1), "offset the transaction committed", () => Context(result));

        var consumer = await _client.GroupConsumeAsync(topic, "reader-" + topic, committed.Count);
        AssertSucceeded(consumer, "consumer.run (read_committed)");
        AssertSequence(committed, consumer.JsonLines.Events("record").Select(e => e.GetProperty("value").GetString()!), "records KafkaJS read (read_committed)", () => Context(result, consumer));

        var everything = await _client.GroupConsumeAsync(topic, "everything-" + topic, 3 * Count + 3, readUncommitted: true);
        AssertSucceeded(everything, "consumer.run (read_uncommitted)");
        var values = everything.JsonLines.Events("record").Select(e => e.GetProperty("value").GetString()!).ToList();
        Assert.Equal(Count, values.Count(v => v.StartsWith("txn1-", StringComparison.Ordinal)));
        Assert.Contains("from-the-zombie", values);
    }

    [Fact]
    public async Task Group_consumer_reads_records_produced_by_ConfluentKafka_and_resumes_from_its_commit()
    {
        var topic = await DotNet.CreateTopicAsync("kafkajs");
        var group = "kafkajs-" + Guid.NewGuid().ToString("N");
        var firstTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await DotNet.ProduceAsync(topic, 0, ObservedRecord.Messages(Count, "dotnet", firstTimestamp));
        var expected = ObservedRecord.Expected(0, Count, "dotnet", firstTimestamp);

        var first = await _client.GroupConsumeAsync(topic, group, Count / 2);
        AssertSucceeded(first, "consumer.run (first member)");
        AssertSequence(expected.Take(Count / 2), first.JsonLines.Events("record").Select(ObservedRecord.FromJson), "records the first consumer read", () => Context(first));

        // A new consumer in the same group starts where the first one committed.
        var second = await _client.GroupConsumeAsync(topic, group, Count / 2);
        AssertSucceeded(second, "consumer.run (second member)");
        AssertSequence(expected.Skip(Count / 2), second.JsonLines.Events("record").Select(ObservedRecord.FromJson), "records the second consumer read", () => Context(first, second));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task Two_members_split_the_partitions_and_read_each_record_once(bool secondJoinsLater) =>
        AssertTwoMembersSplitThePartitionsAsync("kafkajs", secondJoinsLater,
            "consumer.run A", (topic, group, linger) => Task.FromResult(_client.StartGroupMember(topic, group, expectPartitions: 1, linger)),
            "consumer.run B", (topic, group, linger) => Task.FromResult(_client.StartGroupMember(topic, group, expectPartitions: 1, linger)));

    [Fact]
    public async Task Admin_createTopics_creates_a_topic_that_ConfluentKafka_sees_with_its_partitions()
    {
        var topic = TestRecords.NewTopicName("kafkajs");

        var result = await _client.CreateTopicAsync(topic, partitions: 3);

        AssertSucceeded(result, "admin.createTopics");
        AssertEqual(true, SingleEvent(result, "created").GetProperty("created").GetBoolean(), "createTopics result (true = created)", () => Context(result));
        var metadata = DotNet.GetMetadata(topic).Topics.Single();
        AssertEqual(ErrorCode.NoError, metadata.Error.Code, "topic error in Confluent.Kafka metadata", () => Context(result));
        AssertSequence([0, 1, 2], metadata.Partitions.Select(p => p.PartitionId).Order(), "partitions Confluent.Kafka sees", () => Context(result));
    }

    [Fact]
    public async Task Admin_listTopics_includes_a_topic_created_by_ConfluentKafka()
    {
        var topic = await DotNet.CreateTopicAsync("kafkajs");

        var result = await _client.ListTopicsAsync(topic);

        AssertSucceeded(result, "admin.listTopics");
        var topics = SingleEvent(result, "topics").GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.True(topics.Contains(topic), $"listTopics did not include {topic}.\n{Context(result)}");
    }

    [Fact]
    public async Task Admin_fetchTopicMetadata_reports_every_partition_led_by_the_broker()
    {
        var topic = await DotNet.CreateTopicAsync("kafkajs", partitions: 3);
        var brokerId = DotNet.GetMetadata(topic).Brokers.Single().BrokerId;

        var result = await _client.FetchTopicMetadataAsync(topic);

        AssertSucceeded(result, "admin.fetchTopicMetadata");
        var cluster = SingleEvent(result, "cluster");
        AssertSequence(
            [$"{brokerId} {Broker.Host}:{Broker.Port}"],
            cluster.GetProperty("brokers").EnumerateArray().Select(b => $"{b.GetProperty("nodeId")} {b.GetStringOrNull("host")}:{b.GetProperty("port")}"),
            "brokers (describeCluster)",
            () => Context(result));
        var topics = SingleEvent(result, "metadata").GetProperty("topics").EnumerateArray().ToList();
        AssertSequence([topic], topics.Select(t => t.GetStringOrNull("name")), "topics", () => Context(result));
        AssertSequence(
            Enumerable.Range(0, 3).Select(p => $"partition {p} error 0 leader {brokerId} replicas [{brokerId}] isr [{brokerId}]"),
            topics[0].GetProperty("partitions").EnumerateArray()
                .Select(p => (Id: p.GetProperty("partitionId").GetInt32(), Text:
                    $"partition {p.GetProperty("partitionId")} error {p.GetProperty("partitionErrorCode")} leader {p.GetProperty("leader")} " +
                    $"replicas [{string.Join(',', p.GetProperty("replicas").EnumerateArray())}] isr [{string.Join(',', p.GetProperty("isr").EnumerateArray())}]"))
                .OrderBy(p => p.Id)
                .Select(p => p.Text),
            "partitions",
            () => Context(result));
    }

    [Fact]
    public async Task Admin_fetchTopicOffsets_reports_the_log_start_and_end_offset_of_every_partition()
    {
        var topic = await DotNet.CreateTopicAsync("kafkajs", partitions: 3);
        var firstTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await DotNet.ProduceAsync(topic, 0, ObservedRecord.Messages(5, "dotnet", firstTimestamp));
        await DotNet.ProduceAsync(topic, 1, ObservedRecord.Messages(3, "dotnet", firstTimestamp));
        using (var admin = DotNet.CreateAdmin())
        {
            // Moves partition 0's log start offset, so "earliest" is distinguishable from zero.
            await admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 2)]);
        }

        var result = await _client.FetchTopicOffsetsAsync(topic);

        AssertSucceeded(result, "admin.fetchTopicOffsets");
        AssertSequence(
            ["partition 0 low 2 high 5 offset 5", "partition 1 low 0 high 3 offset 3", "partition 2 low 0 high 0 offset 0"],
            SingleEvent(result, "offsets").GetProperty("partitions").EnumerateArray().Select(p =>
                $"partition {p.GetProperty("partition")} low {p.GetStringOrNull("low")} high {p.GetStringOrNull("high")} offset {p.GetStringOrNull("offset")}"),
            "offsets",
            () => Context(result));
    }
}
