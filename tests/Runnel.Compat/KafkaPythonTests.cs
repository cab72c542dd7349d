using Runnel.Compat.ClientWrappers;
using Runnel.Compat.Infrastructure;

namespace Runnel.Compat;

[CollectionDefinition(Name)]
public sealed class KafkaPythonBroker : ICollectionFixture<BrokerProcess>
{
    public const string Name = "kafka-python";
}

/// <summary>
/// kafka-python 2.0.2 (Debian python3-kafka) against a broker process, cross-checked with
/// Confluent.Kafka. Every scenario starts with kafka-python's version probe: ApiVersions v0 and
/// Metadata v0 sent pipelined on the bootstrap connection.
/// </summary>
[Collection(KafkaPythonBroker.Name)]
public sealed class KafkaPythonTests(BrokerProcess broker) : CompatTest(broker)
{
    private const int Count = 20;

    private readonly KafkaPythonClient _client = new(broker.BootstrapServers);

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task Producer_records_with_headers_are_read_back_exactly_by_ConfluentKafka(string compression)
    {
        var topic = await DotNet.CreateTopicAsync("kafka-python");

        var result = await _client.ProduceAsync(topic, 0, Count, compression);

        AssertSucceeded(result, "KafkaProducer");
        AssertAcknowledgedInOrder(result, Count);
        await AssertReadBackAsync(result, topic, Count, "kafka-python", compression);
    }

    [Fact]
    public async Task Consumer_without_a_group_reads_records_produced_by_ConfluentKafka_from_the_beginning()
    {
        var topic = await DotNet.CreateTopicAsync("kafka-python", partitions: 2);
        var firstTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await DotNet.ProduceAsync(topic, 1, ObservedRecord.Messages(Count, "dotnet", firstTimestamp));

        var result = await _client.ConsumeAsync(topic, 1, Count);

        AssertSucceeded(result, "KafkaConsumer");
        AssertSequence(
            ObservedRecord.Expected(1, Count, "dotnet", firstTimestamp),
            result.JsonLines.Events("record").Select(ObservedRecord.FromJson),
            "records KafkaConsumer read",
            () => Context(result));
    }

    [Fact]
    public async Task Group_consumer_reads_records_produced_by_ConfluentKafka_and_resumes_from_its_commit()
    {
        var topic = await DotNet.CreateTopicAsync("kafka-python");
        var group = "kafka-python-" + Guid.NewGuid().ToString("N");
        var firstTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await DotNet.ProduceAsync(topic, 0, ObservedRecord.Messages(Count, "dotnet", firstTimestamp));
        var expected = ObservedRecord.Expected(0, Count, "dotnet", firstTimestamp);

        var first = await _client.GroupConsumeAsync(topic, group, Count / 2);
        AssertSucceeded(first, "KafkaConsumer (first member)");
        AssertSequence(expected.Take(Count / 2), first.JsonLines.Events("record").Select(ObservedRecord.FromJson), "records the first consumer read", () => Context(first));

        var second = await _client.GroupConsumeAsync(topic, group, Count / 2);
        AssertSucceeded(second, "KafkaConsumer (second member)");
        AssertSequence(expected.Skip(Count / 2), second.JsonLines.Events("record").Select(ObservedRecord.FromJson), "records the second consumer read", () => Context(first, second));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task Two_members_split_the_partitions_and_read_each_record_once(bool secondJoinsLater) =>
        AssertTwoMembersSplitThePartitionsAsync("kafka-python", secondJoinsLater,
            "KafkaConsumer A", (topic, group, linger) => _client.StartGroupMemberAsync(topic, group, expectPartitions: 1, linger),
            "KafkaConsumer B", (topic, group, linger) => _client.StartGroupMemberAsync(topic, group, expectPartitions: 1, linger));

    [Fact]
    public async Task Admin_create_topics_creates_a_topic_that_ConfluentKafka_sees_with_its_partitions()
    {
        var topic = TestRecords.NewTopicName("kafka-python");

        var result = await _client.CreateTopicAsync(topic, partitions: 3);

        AssertSucceeded(result, "KafkaAdminClient.create_topics");
        var created = SingleEvent(result, "created");
        AssertSequence([$"{topic} 0"], created.GetProperty("topic_errors").EnumerateArray().Select(e => $"{e[0]} {e[1]}"), "topic errors", () => Context(result));
        var metadata = DotNet.GetMetadata(topic).Topics.Single();
        AssertEqual(Confluent.Kafka.ErrorCode.NoError, metadata.Error.Code, "topic error in Confluent.Kafka metadata", () => Context(result));
        AssertSequence([0, 1, 2], metadata.Partitions.Select(p => p.PartitionId).Order(), "partitions Confluent.Kafka sees", () => Context(result));
    }

    [Fact]
    public async Task Admin_list_topics_includes_a_topic_created_by_ConfluentKafka()
    {
        var topic = await DotNet.CreateTopicAsync("kafka-python");

        var result = await _client.ListTopicsAsync(topic);

        AssertSucceeded(result, "KafkaAdminClient.list_topics");
        var topics = SingleEvent(result, "topics").GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.True(topics.Contains(topic), $"list_topics did not include {topic}.\n{Context(result)}");
    }
}
