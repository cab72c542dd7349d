using System.Globalization;
using Confluent.Kafka;
using Runnel.Cli.Commands;
using Runnel.TestKit;

namespace Runnel.Cli.Tests.EndToEnd;

[Collection(CliBrokerCollection.Name)]
public sealed class GroupsEndToEndTests(CliBrokerFixture broker)
{
    [Fact]
    public async Task Describe_shows_committed_offset_log_end_offset_and_lag_after_a_group_consumes_part_of_a_topic()
    {
        string topic = await broker.CreateTopicAsync("describe");
        string group = NewGroup();
        await ProduceAsync(topic, 5);

        CliResult consume = await broker.RunAsync("consume", "--topic", topic, "--group", group, "--from-beginning", "--max-messages", "3");
        consume.AssertSuccess();

        CliResult describe = await broker.RunAsync("groups", "describe", "--group", group);
        describe.AssertSuccess();
        Assert.Equal([$"Consumer group '{group}' has no active members."], describe.ErrorLines);
        Assert.Equal("", describe.Lines[0]);
        Assert.Equal(["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"], Columns(describe.Lines[1]));
        Assert.Equal([group, topic, "0", "3", "5", "2", "-", "-", "-"], Columns(describe.Lines[2]));
        Assert.Equal(3, describe.Lines.Length);
    }

    [Fact]
    public async Task List_shows_the_group_and_its_state()
    {
        string topic = await broker.CreateTopicAsync("list");
        string group = NewGroup();
        await ProduceAsync(topic, 2);
        Commit(group, new TopicPartitionOffset(topic, 0, 1));

        CliResult list = await broker.RunAsync("groups", "list");
        list.AssertSuccess();
        Assert.Contains(group, list.Lines);

        CliResult withState = await broker.RunAsync("groups", "list", "--state");
        withState.AssertSuccess();
        Assert.Equal(["GROUP", "STATE"], Columns(withState.Lines[0]));
        Assert.Contains([group, "Empty"], withState.Lines.Select(Columns));

        CliResult stable = await broker.RunAsync("groups", "list", "--state", "stable");
        stable.AssertSuccess();
        Assert.DoesNotContain(stable.Lines, l => Columns(l)[0] == group);
    }

    [Fact]
    public async Task Describe_of_an_active_group_shows_its_member_and_unconsumed_partitions()
    {
        string topic = await broker.CreateTopicAsync("active", partitions: 2);
        string group = NewGroup();
        await ProduceAsync(topic, 4, partition: 0);
        Commit(group, new TopicPartitionOffset(topic, 0, 1));

        using IConsumer<Ignore, Ignore> member = await JoinAsync(group, topic);

        CliResult describe = await broker.RunAsync("groups", "describe", "--group", group);
        describe.AssertSuccess();
        Assert.Empty(describe.Error);
        string[][] rows = [.. describe.Lines[2..].Select(Columns)];
        Assert.Equal(2, rows.Length);
        Assert.Equal([group, topic, "0", "1", "4", "3"], rows[0][..6]);
        Assert.Equal([group, topic, "1", "-", "0", "-"], rows[1][..6]);
        Assert.All(rows, r => Assert.Equal(member.MemberId, r[6]));

        CliResult members = await broker.RunAsync("groups", "describe", "--group", group, "--members", "--verbose");
        members.AssertSuccess();
        Assert.Equal(["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT"], Columns(members.Lines[1]));
        string[] memberRow = Columns(members.Lines[2]);
        Assert.Equal([group, member.MemberId], memberRow[..2]);
        Assert.Equal(["2", $"{topic}(0,1)"], memberRow[^2..]);

        CliResult state = await broker.RunAsync("groups", "describe", "--group", group, "--state");
        state.AssertSuccess();
        Assert.Equal(["GROUP", "COORDINATOR", "(ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"], Columns(state.Lines[1]));
        string[] stateRow = Columns(state.Lines[2]);
        Assert.Equal(group, stateRow[0]);
        Assert.Matches(@"^\(\d+\)$", stateRow[2]);
        Assert.Equal(["Stable", "1"], stateRow[^2..]);
        member.Close();
    }

    [Fact]
    public async Task Describe_of_a_group_that_does_not_exist_fails_with_kafkas_message()
    {
        string group = NewGroup();

        CliResult describe = await broker.RunAsync("groups", "describe", "--group", group);

        Assert.Equal(1, describe.ExitCode);
        Assert.Empty(describe.Output);
        Assert.Equal([$"Error: Consumer group '{group}' does not exist."], describe.ErrorLines);
    }

    [Fact]
    public async Task Reset_to_earliest_is_a_dry_run_until_execute()
    {
        string topic = await broker.CreateTopicAsync("reset-earliest");
        string group = NewGroup();
        await ProduceAsync(topic, 5);
        Commit(group, new TopicPartitionOffset(topic, 0, 4));

        CliResult dryRun = await broker.RunAsync("groups", "reset-offsets", "--group", group, "--topic", topic, "--to-earliest");
        dryRun.AssertSuccess();
        Assert.Equal([GroupsResetOffsetsCommand.NoExecuteWarning], dryRun.ErrorLines);
        Assert.Equal(["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"], Columns(dryRun.Lines[1]));
        Assert.Equal([group, topic, "0", "0"], Columns(dryRun.Lines[2]));
        Assert.Equal("4", await CurrentOffsetAsync(group));

        CliResult explicitDryRun = await broker.RunAsync("groups", "reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--dry-run");
        explicitDryRun.AssertSuccess();
        Assert.Empty(explicitDryRun.Error);
        Assert.Equal("4", await CurrentOffsetAsync(group));

        CliResult execute = await broker.RunAsync("groups", "reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
        execute.AssertSuccess();
        Assert.Equal([group, topic, "0", "0"], Columns(execute.Lines[2]));
        Assert.Equal("0", await CurrentOffsetAsync(group));
    }

    [Fact]
    public async Task Reset_shift_by_moves_the_committed_offset_back()
    {
        string topic = await broker.CreateTopicAsync("reset-shift");
        string group = NewGroup();
        await ProduceAsync(topic, 5);
        Commit(group, new TopicPartitionOffset(topic, 0, 4));

        CliResult shift = await broker.RunAsync("groups", "reset-offsets", "--group", group, "--all-topics", "--shift-by", "-2", "--execute");

        shift.AssertSuccess();
        Assert.Equal([group, topic, "0", "2"], Columns(shift.Lines[2]));
        Assert.Equal("2", await CurrentOffsetAsync(group));
    }

    [Fact]
    public async Task Reset_to_an_offset_past_the_end_is_clamped_to_the_log_end_offset()
    {
        string topic = await broker.CreateTopicAsync("reset-clamp");
        string group = NewGroup();
        await ProduceAsync(topic, 5);
        Commit(group, new TopicPartitionOffset(topic, 0, 1));

        CliResult reset = await broker.RunAsync("groups", "reset-offsets", "--group", group, "--topic", $"{topic}:0", "--to-offset", "100", "--execute");

        reset.AssertSuccess();
        Assert.Equal([$"WARN: New offset (100) is higher than latest offset for topic partition {topic}-0. Value will be set to 5"], reset.ErrorLines);
        Assert.Equal([group, topic, "0", "5"], Columns(reset.Lines[2]));
        Assert.Equal("5", await CurrentOffsetAsync(group));
    }

    [Fact]
    public async Task Reset_to_datetime_picks_the_first_offset_at_or_after_the_time()
    {
        string topic = await broker.CreateTopicAsync("reset-datetime");
        string group = NewGroup();
        long start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds() / 1000 * 1000;
        using (IProducer<Null, string> producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.Broker.BootstrapServers }).Build())
        {
            for (int i = 0; i < 5; i++)
            {
                await producer.ProduceAsync(
                    topic,
                    new Message<Null, string> { Value = $"v{i}", Timestamp = new Timestamp(start + (i * 1000), TimestampType.CreateTime) },
                    TestContext.Current.CancellationToken);
            }
        }

        Commit(group, new TopicPartitionOffset(topic, 0, 0));
        string between = DateTimeOffset.FromUnixTimeMilliseconds(start + 2500).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);
        string exact = DateTimeOffset.FromUnixTimeMilliseconds(start + 1000).ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

        CliResult atBetween = await broker.RunAsync("groups", "reset-offsets", "--group", group, "--topic", topic, "--to-datetime", between, "--dry-run");
        atBetween.AssertSuccess();
        Assert.Equal([group, topic, "0", "3"], Columns(atBetween.Lines[2]));

        CliResult atExact = await broker.RunAsync("groups", "reset-offsets", "--group", group, "--topic", topic, "--to-datetime", exact, "--execute");
        atExact.AssertSuccess();
        Assert.Equal([group, topic, "0", "1"], Columns(atExact.Lines[2]));
        Assert.Equal("1", await CurrentOffsetAsync(group));
    }

    [Fact]
    public async Task Reset_is_refused_while_a_consumer_is_active()
    {
        string topic = await broker.CreateTopicAsync("reset-active");
        string group = NewGroup();
        await ProduceAsync(topic, 3);
        Commit(group, new TopicPartitionOffset(topic, 0, 2));
        using IConsumer<Ignore, Ignore> member = await JoinAsync(group, topic);

        CliResult reset = await broker.RunAsync("groups", "reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");

        Assert.Equal(1, reset.ExitCode);
        Assert.Equal([$"Error: Assignments can only be reset if the group '{group}' is inactive, but the current state is Stable."], reset.ErrorLines);
        Assert.Empty(reset.Output);
        member.Close();
        Assert.Equal("2", await CurrentOffsetAsync(group));
    }

    [Fact]
    public async Task Delete_of_an_empty_group_succeeds_and_the_group_is_gone()
    {
        string topic = await broker.CreateTopicAsync("delete-empty");
        string group = NewGroup();
        await ProduceAsync(topic, 1);
        Commit(group, new TopicPartitionOffset(topic, 0, 1));

        CliResult delete = await broker.RunAsync("groups", "delete", "--group", group);

        delete.AssertSuccess();
        Assert.Equal([$"Deletion of requested consumer groups ('{group}') was successful."], delete.Lines);
        CliResult list = await broker.RunAsync("groups", "list");
        Assert.DoesNotContain(group, list.Lines);
    }

    [Fact]
    public async Task Delete_of_an_active_group_fails_with_non_empty_group()
    {
        string topic = await broker.CreateTopicAsync("delete-active");
        string group = NewGroup();
        using IConsumer<Ignore, Ignore> member = await JoinAsync(group, topic);

        CliResult delete = await broker.RunAsync("groups", "delete", "--group", group);

        Assert.Equal(1, delete.ExitCode);
        Assert.Equal(
            ["Error: Deletion of some consumer groups failed:", $"* Group '{group}' could not be deleted due to: NON_EMPTY_GROUP: The group is not empty."],
            delete.ErrorLines);
        member.Close();
    }

    [Fact]
    public async Task Delete_offsets_removes_the_commit_of_an_empty_group()
    {
        string topic = await broker.CreateTopicAsync("delete-offsets");
        string other = await broker.CreateTopicAsync("delete-offsets-kept");
        string group = NewGroup();
        await ProduceAsync(topic, 2);
        await ProduceAsync(other, 2);
        Commit(group, new TopicPartitionOffset(topic, 0, 2), new TopicPartitionOffset(other, 0, 1));

        CliResult delete = await broker.RunAsync("groups", "delete-offsets", "--group", group, "--topic", topic);

        delete.AssertSuccess();
        Assert.Equal($"Request succeed for deleting offsets with topic {topic} group {group}", delete.Lines[0]);
        Assert.Equal([topic, "0", "Successful"], Columns(delete.Lines[3]));
        CliResult describe = await broker.RunAsync("groups", "describe", "--group", group);
        Assert.Equal([[group, other, "0", "1", "2", "1", "-", "-", "-"]], describe.Lines[2..].Select(Columns));
    }

    [Fact]
    public async Task Reset_of_a_topic_that_does_not_exist_fails_without_creating_it()
    {
        string group = NewGroup();
        string missing = CliBrokerFixture.NewTopic("missing");

        CliResult reset = await broker.RunAsync("groups", "reset-offsets", "--group", group, "--topic", missing, "--to-earliest", "--execute");

        Assert.Equal(1, reset.ExitCode);
        Assert.Equal(
            [$"Error: Executing consumer group command failed due to UNKNOWN_TOPIC_OR_PARTITION: This server does not host this topic-partition. (topic '{missing}')"],
            reset.ErrorLines);
        CliResult topics = await broker.RunAsync("topics", "list");
        Assert.DoesNotContain(missing, topics.Lines);
    }

    [Fact]
    public async Task Delete_offsets_reports_a_topic_that_does_not_exist_as_not_provided()
    {
        string topic = await broker.CreateTopicAsync("delete-offsets-partial");
        string missing = CliBrokerFixture.NewTopic("missing");
        string group = NewGroup();
        await ProduceAsync(topic, 1);
        Commit(group, new TopicPartitionOffset(topic, 0, 1));

        CliResult delete = await broker.RunAsync("groups", "delete-offsets", "--group", group, "--topic", missing, "--topic", topic);

        Assert.Equal(1, delete.ExitCode);
        Assert.Equal(["Error: Encounter some partition level error, see the follow-up details:"], delete.ErrorLines);
        string[][] rows = [.. delete.Lines[2..].Select(Columns)];
        Assert.Contains([missing, "Not", "Provided", "Error:", "UNKNOWN_TOPIC_OR_PARTITION:", "This", "server", "does", "not", "host", "this", "topic-partition."], rows);
        Assert.Contains([topic, "0", "Successful"], rows);
        CliResult topics = await broker.RunAsync("topics", "list");
        Assert.DoesNotContain(missing, topics.Lines);
    }

    private static string NewGroup() => $"group-{Guid.NewGuid():N}";

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private async Task ProduceAsync(string topic, int count, int? partition = null)
    {
        string lines = string.Concat(Enumerable.Range(0, count).Select(i => $"record-{i}\n"));
        CliResult produce = partition is int p
            ? await broker.RunWithInputAsync(lines, "produce", "--topic", topic, "--partition", p.ToString(CultureInfo.InvariantCulture))
            : await broker.RunWithInputAsync(lines, "produce", "--topic", topic);
        produce.AssertSuccess();
    }

    /// <summary>Commits offsets for a group with no members, as a consumer that assigned partitions itself would.</summary>
    private void Commit(string group, params TopicPartitionOffset[] offsets)
    {
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = broker.Broker.BootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
        }).Build();
        consumer.Commit(offsets);
        consumer.Close();
    }

    /// <summary>A subscribed member of <paramref name="group"/>, once it has its assignment (the group is Stable).</summary>
    private async Task<IConsumer<Ignore, Ignore>> JoinAsync(string group, string topic)
    {
        IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = broker.Broker.BootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Latest,
        }).Build();
        consumer.Subscribe(topic);
        await Eventually.TrueAsync(
            () =>
            {
                consumer.Consume(TimeSpan.FromMilliseconds(100));
                return consumer.Assignment.Count > 0;
            },
            $"a member of {group} is assigned {topic}");
        return consumer;
    }

    /// <summary>The CURRENT-OFFSET describe prints for the group's only row.</summary>
    private async Task<string> CurrentOffsetAsync(string group)
    {
        CliResult describe = await broker.RunAsync("groups", "describe", "--group", group);
        describe.AssertSuccess();
        Assert.Equal(3, describe.Lines.Length);
        return Columns(describe.Lines[2])[3];
    }
}
