using Runnel.Compat.ClientWrappers;
using Runnel.Compat.Infrastructure;

namespace Runnel.Compat;

[CollectionDefinition(Name)]
public sealed class ConfluentPythonBroker : ICollectionFixture<BrokerProcess>
{
    public const string Name = "confluent-kafka-python";
}

/// <summary>confluent-kafka-python 1.7.0 (Debian, librdkafka 2.0.2) against a broker process, cross-checked with Confluent.Kafka.</summary>
[Collection(ConfluentPythonBroker.Name)]
public sealed class ConfluentPythonTests(BrokerProcess broker) : CompatTest(broker)
{
    private const int Count = 20;

    private readonly ConfluentPythonClient _client = new(broker.BootstrapServers);

    private readonly KafkaPythonClient _kafkaPython = new(broker.BootstrapServers);

    [Theory]
    [InlineData("lz4", false)]
    [InlineData("zstd", false)]
    [InlineData("none", true)]
    public async Task Producer_records_with_headers_are_read_back_exactly_by_ConfluentKafka(string compression, bool idempotent)
    {
        var topic = await DotNet.CreateTopicAsync("confluent-python");

        var result = await _client.ProduceAsync(topic, 0, Count, compression, idempotent);

        AssertSucceeded(result, "Producer");
        AssertAcknowledgedInOrder(result, Count);
        await AssertReadBackAsync(result, topic, Count, "confluent-kafka-python", compression);
    }

    /// <summary>
    /// Transactions from librdkafka 2.0.2 (AddPartitionsToTxn/AddOffsetsToTxn v0, EndTxn v1,
    /// TxnOffsetCommit v3): committed records are read back by Confluent.Kafka (read_committed) in
    /// order with the aborted transaction absent, and the offsets sent to the last transaction are the
    /// group's committed offset.
    /// </summary>
    [Fact]
    public async Task Transactions_commit_abort_and_send_offsets_as_ConfluentKafka_reads_them()
    {
        var topic = await DotNet.CreateTopicAsync("confluent-python-txn");
        var group = "txn-" + topic;

        var result = await _client.TransactionsAsync(topic, 0, Count, group);

        AssertSucceeded(result, "Transactional Producer");
        var expected = Enumerable.Range(0, Count).Select(i => $"txn0-{i}").Concat(Enumerable.Range(0, Count).Select(i => $"txn2-{i}")).Append("offsets-sent").ToList();
        var read = DotNet.ConsumeFromBeginning(topic, 0, expected.Count, () => Context(result)).Select(r => System.Text.Encoding.UTF8.GetString(r.Message.Value!));
        AssertSequence(expected, read, "records read_committed (Confluent.Kafka)", () => Context(result));

        // The position after the last committed record (where the aborted records and markers fall depends on
        // how much librdkafka had sent before the abort purged its queue) is what the group now holds.
        var reads = result.JsonLines.Events("read").Select(e => e.GetProperty("offset").GetInt64()).ToList();
        var sent = result.JsonLines.Events("offsets_committed").Single().GetProperty("offset").GetInt64();
        Assert.Equal(reads[^1] + 1, sent);
        AssertSequence([sent], DotNet.Committed(group, topic, 1), "offset the transaction committed", () => Context(result));
    }

    /// <summary>
    /// Exactly-once processing through client crashes: a consume-transform-produce loop is killed
    /// with SIGKILL several times mid-stream and restarted with the same transactional id (which
    /// fences and aborts the dead instance's transaction); read_committed, the output holds each
    /// input record's result exactly once and in order, and the group stands at the end of the input.
    /// </summary>
    [Fact]
    public async Task A_transform_loop_killed_repeatedly_writes_each_result_exactly_once()
    {
        // Enough input that five kills land mid-stream: with 600 per partition a fast broker let two
        // instances finish the whole input before the third kill (a CI run saw "only 2 kills").
        const int PerPartition = 2000;
        var input = await DotNet.CreateTopicAsync("eos-in", partitions: 2);
        var output = await DotNet.CreateTopicAsync("eos-out", partitions: 2);
        var firstTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var partition = 0; partition < 2; partition++)
        {
            await DotNet.ProduceAsync(input, partition, ObservedRecord.Messages(PerPartition, "dotnet", firstTimestamp));
        }

        var group = "eos-" + input;
        var random = new Random(7);
        var transcripts = new List<ProcessResult>();
        var kills = 0;
        while (kills < 5)
        {
            await using var process = await _client.StartTransformAsync(input, 2, output, group, "eos-" + input);
            if (await process.WaitForEventAsync("committed") is null)
            {
                // It finished everything before a kill could land (or failed: checked below).
                transcripts.Add(await process.WaitForExitAsync());
                break;
            }

            await Task.Delay(random.Next(0, 150), TestContext.Current.CancellationToken);
            await process.DisposeAsync();
            transcripts.Add(await process.WaitForExitAsync());
            kills++;
        }

        await using (var last = await _client.StartTransformAsync(input, 2, output, group, "eos-" + input))
        {
            var finished = await last.WaitForExitAsync();
            transcripts.Add(finished);
            AssertSucceeded(finished, "transform loop");
        }

        Assert.True(kills >= 3, $"only {kills} kills landed mid-stream\n{Context([.. transcripts])}");
        string Transcripts() => Context([.. transcripts]);
        for (var partition = 0; partition < 2; partition++)
        {
            var expected = DotNet.ConsumeFromBeginning(input, partition, PerPartition, Transcripts).Select(r => "out-" + System.Text.Encoding.UTF8.GetString(r.Message.Value!));
            var written = DotNet.ConsumeFromBeginning(output, partition, PerPartition, Transcripts).Select(r => System.Text.Encoding.UTF8.GetString(r.Message.Value!));
            AssertSequence(expected, written, $"results in {output}[{partition}] (read_committed)", Transcripts);
            Assert.Equal(PerPartition, DotNet.CountCommitted(output, partition));
        }

        AssertSequence([(long)PerPartition, PerPartition], DotNet.Committed(group, input, 2), "the group's committed offsets", Transcripts);
    }

    [Fact]
    public async Task Consumer_with_assign_reads_records_produced_by_ConfluentKafka_from_the_beginning()
    {
        var topic = await DotNet.CreateTopicAsync("confluent-python", partitions: 2);
        var firstTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await DotNet.ProduceAsync(topic, 1, ObservedRecord.Messages(Count, "dotnet", firstTimestamp));

        var result = await _client.ConsumeAsync(topic, 1, Count);

        AssertSucceeded(result, "Consumer");
        AssertSequence(
            ObservedRecord.Expected(1, Count, "dotnet", firstTimestamp),
            result.JsonLines.Events("record").Select(ObservedRecord.FromJson),
            "records Consumer read",
            () => Context(result));
    }

    /// <summary>
    /// A classic group shared by two libraries: both offer only "roundrobin" (kafka-python's
    /// RoundRobinPartitionAssignor, librdkafka's partition.assignment.strategy). The member that
    /// joins first is the group's leader and computes the assignment for both, so each library
    /// leads once.
    /// </summary>
    [Theory]
    [InlineData("kafka-python")]
    [InlineData("confluent-kafka-python")]
    public Task Kafka_python_and_confluent_members_with_roundrobin_split_the_partitions_of_one_group(string firstToJoin)
    {
        StartGroupMember kafkaPython = (topic, group, linger) => _kafkaPython.StartGroupMemberAsync(topic, group, expectPartitions: 1, linger, "roundrobin");
        StartGroupMember confluent = (topic, group, linger) => _client.StartGroupMemberAsync(topic, group, expectPartitions: 1, linger, "roundrobin");
        return firstToJoin == "kafka-python"
            ? AssertTwoMembersSplitThePartitionsAsync("mixed-python", secondJoinsLater: true,
                "KafkaConsumer (kafka-python)", kafkaPython, "Consumer (confluent-kafka-python)", confluent)
            : AssertTwoMembersSplitThePartitionsAsync("mixed-python", secondJoinsLater: true,
                "Consumer (confluent-kafka-python)", confluent, "KafkaConsumer (kafka-python)", kafkaPython);
    }

    [Fact]
    public async Task Admin_create_topics_creates_a_topic_that_ConfluentKafka_sees_with_its_partitions()
    {
        var topic = TestRecords.NewTopicName("confluent-python");

        var result = await _client.CreateTopicAsync(topic, partitions: 3);

        AssertSucceeded(result, "AdminClient.create_topics");
        AssertEqual(topic, SingleEvent(result, "created").GetStringOrNull("topic"), "created topic", () => Context(result));
        var metadata = DotNet.GetMetadata(topic).Topics.Single();
        AssertEqual(Confluent.Kafka.ErrorCode.NoError, metadata.Error.Code, "topic error in Confluent.Kafka metadata", () => Context(result));
        AssertSequence([0, 1, 2], metadata.Partitions.Select(p => p.PartitionId).Order(), "partitions Confluent.Kafka sees", () => Context(result));
    }

    [Fact]
    public async Task Admin_list_topics_reports_the_broker_as_controller_and_leader_of_every_partition()
    {
        var topic = await DotNet.CreateTopicAsync("confluent-python", partitions: 2);
        var brokerId = DotNet.GetMetadata(topic).Brokers.Single().BrokerId;

        var result = await _client.ListTopicsAsync(topic);

        AssertSucceeded(result, "AdminClient.list_topics");
        var metadata = SingleEvent(result, "metadata");
        AssertSequence(
            [$"{brokerId} {Broker.Host}:{Broker.Port}"],
            metadata.GetProperty("brokers").EnumerateArray().Select(b => $"{b.GetProperty("id")} {b.GetProperty("host").GetString()}:{b.GetProperty("port")}"),
            "brokers",
            () => Context(result));
        AssertEqual(brokerId, metadata.GetProperty("controller_id").GetInt32(), "controller id", () => Context(result));
        var listed = metadata.GetProperty("topics").EnumerateArray().Where(t => t.GetStringOrNull("name") == topic).ToList();
        Assert.True(listed.Count == 1, $"list_topics did not include {topic}.\n{Context(result)}");
        AssertSequence(
            Enumerable.Range(0, 2).Select(p => $"partition {p} leader {brokerId} replicas [{brokerId}] isrs [{brokerId}] error "),
            listed[0].GetProperty("partitions").EnumerateArray().Select(p =>
                $"partition {p.GetProperty("id")} leader {p.GetProperty("leader")} " +
                $"replicas [{string.Join(',', p.GetProperty("replicas").EnumerateArray())}] isrs [{string.Join(',', p.GetProperty("isrs").EnumerateArray())}] " +
                $"error {p.GetStringOrNull("error")}"),
            "partitions",
            () => Context(result));
    }
}
