namespace Runnel.Cli.Tests.EndToEnd;

[Collection(CliBrokerCollection.Name)]
public sealed class ProduceConsumeEndToEndTests(CliBrokerFixture broker)
{
    [Fact]
    public async Task Produced_keys_and_headers_are_consumed_from_the_beginning_with_offsets()
    {
        string topic = await broker.CreateTopicAsync("keys-headers");

        CliResult produce = await broker.RunWithInputAsync(
            "h1:a,h2:b\tk1\tfirst\nh1:c\tk2\tsecond value\nh3:\tk3\tthird\n",
            "produce", "--topic", topic, "--property", "parse.key=true", "--property", "parse.headers=true");
        produce.AssertSuccess();

        CliResult consume = await broker.RunAsync(
            "consume", "--topic", topic, "--from-beginning", "--max-messages", "3",
            "--property", "print.offset=true", "--property", "print.headers=true", "--property", "print.key=true");
        consume.AssertSuccess();
        Assert.Equal(
            [
                "Offset:0\th1:a,h2:b\tk1\tfirst",
                "Offset:1\th1:c\tk2\tsecond value",
                "Offset:2\th3:\tk3\tthird",
            ],
            consume.Lines);
        Assert.Contains("Processed a total of 3 messages", consume.ErrorLines);
    }

    [Fact]
    public async Task Consume_from_a_partition_and_offset_starts_there()
    {
        string topic = await broker.CreateTopicAsync("partition-offset", partitions: 2);

        CliResult produce = await broker.RunWithInputAsync(
            "k0:v0\nk1:v1\nk2:v2\nk3:v3\nk4:v4\n",
            "produce", "--topic", topic, "--partition", "1", "--property", "parse.key=true", "--property", "key.separator=:");
        produce.AssertSuccess();

        CliResult consume = await broker.RunAsync(
            "consume", "--topic", topic, "--partition", "1", "--offset", "2", "--max-messages", "3",
            "--property", "print.partition=true", "--property", "print.offset=true", "--property", "print.key=true");
        consume.AssertSuccess();
        Assert.Equal(
            [
                "Partition:1\tOffset:2\tk2\tv2",
                "Partition:1\tOffset:3\tk3\tv3",
                "Partition:1\tOffset:4\tk4\tv4",
            ],
            consume.Lines);
    }
}
