using Runnel.TestKit;

namespace Runnel.Cli.Tests.EndToEnd;

[Collection(CliBrokerCollection.Name)]
public sealed class TopicsEndToEndTests(CliBrokerFixture broker)
{
    [Fact]
    public async Task Create_with_a_config_is_listed_and_described_with_its_partitions_and_config()
    {
        string topic = CliBrokerFixture.NewTopic("create");

        CliResult create = await broker.RunAsync("topics", "create", "--topic", topic, "--partitions", "3", "--config", "retention.ms=123456");
        create.AssertSuccess();
        Assert.Equal([$"Created topic {topic}."], create.Lines);

        CliResult list = await broker.RunAsync("topics", "list");
        list.AssertSuccess();
        Assert.Contains(topic, list.Lines);

        CliResult describe = await broker.RunAsync("topics", "describe", "--topic", topic);
        describe.AssertSuccess();
        string[] lines = describe.Lines;
        Assert.Equal(4, lines.Length);
        Assert.Matches($@"^Topic: {topic}\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1\tCleanupPolicy: delete\tConfigs: retention\.ms=123456$", lines[0]);
        for (int partition = 0; partition < 3; partition++)
        {
            Assert.Matches($@"^\tTopic: {topic}\tPartition: {partition}\tLeader: (\d+)\tReplicas: \1\tIsr: \1\tElr: N/A\tLastKnownElr: N/A$", lines[partition + 1]);
        }
    }

    [Fact]
    public async Task Create_of_an_existing_topic_fails_unless_if_not_exists()
    {
        string topic = await broker.CreateTopicAsync("exists");

        CliResult again = await broker.RunAsync("topics", "create", "--topic", topic);
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("Error while executing topic command : ", again.Error, StringComparison.Ordinal);
        Assert.Contains(topic, again.Error, StringComparison.Ordinal);

        CliResult ifNotExists = await broker.RunAsync("topics", "create", "--topic", topic, "--if-not-exists");
        ifNotExists.AssertSuccess();
        Assert.Empty(ifNotExists.Lines);
    }

    [Fact]
    public async Task Alter_adds_partitions_then_sets_and_removes_configs()
    {
        string topic = await broker.CreateTopicAsync("alter");

        CliResult partitions = await broker.RunAsync("topics", "alter", "--topic", topic, "--partitions", "2");
        partitions.AssertSuccess();
        Assert.Equal(
            [
                "WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected",
                "Adding partitions succeeded!",
            ],
            partitions.Lines);

        CliResult add = await broker.RunAsync("topics", "alter", "--topic", topic, "--add-config", "retention.ms=60000,max.message.bytes=2048");
        add.AssertSuccess();
        Assert.Equal([$"Completed updating config for topic {topic}."], add.Lines);
        string[] described = await DescribeAsync(topic);
        Assert.Equal(3, described.Length);
        Assert.EndsWith("\tPartitionCount: 2\tReplicationFactor: 1\tCleanupPolicy: delete\tConfigs: max.message.bytes=2048,retention.ms=60000", described[0], StringComparison.Ordinal);

        CliResult delete = await broker.RunAsync("topics", "alter", "--topic", topic, "--delete-config", "retention.ms");
        delete.AssertSuccess();
        Assert.EndsWith("\tConfigs: max.message.bytes=2048", (await DescribeAsync(topic))[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_removes_the_topic_from_list_and_describe()
    {
        string topic = await broker.CreateTopicAsync("delete");

        CliResult delete = await broker.RunAsync("topics", "delete", "--topic", topic);
        delete.AssertSuccess();
        Assert.Empty(delete.Output);

        // Poll with a deadline: a client's metadata can trail the broker's by a request.
        CliResult list = await broker.RunAsync("topics", "list");
        DateTime deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (list.Lines.Contains(topic) && DateTime.UtcNow < deadline)
        {
            list = await broker.RunAsync("topics", "list");
        }

        Assert.DoesNotContain(topic, list.Lines);

        CliResult describe = await broker.RunAsync("topics", "describe", "--topic", topic);
        Assert.Equal(1, describe.ExitCode);
        Assert.Contains($"Error while executing topic command : Topic '{topic}' does not exist as expected", describe.ErrorLines);
    }

    private async Task<string[]> DescribeAsync(string topic)
    {
        CliResult describe = await broker.RunAsync("topics", "describe", "--topic", topic);
        describe.AssertSuccess();
        return describe.Lines;
    }
}
