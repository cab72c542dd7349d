namespace Runnel.Cli.Tests.EndToEnd;

[Collection(CliBrokerCollection.Name)]
public sealed class PerfEndToEndTests(CliBrokerFixture broker)
{
    private const int Records = 300;

    [Fact]
    public async Task Perf_produce_ends_with_kafkas_summary_line_for_every_record()
    {
        string topic = await broker.CreateTopicAsync("perf-produce", partitions: 2);

        CliResult produce = await ProduceAsync(topic);

        Assert.Matches(
            $@"^{Records} records sent, \d+\.\d{{6}} records/sec \(\d+\.\d{{2}} MB/sec\), \d+\.\d{{2}} ms avg latency, \d+\.\d{{2}} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$",
            produce.Lines[^1]);
    }

    [Fact]
    public async Task Perf_consume_reports_every_record_perf_produce_wrote()
    {
        string topic = await broker.CreateTopicAsync("perf-consume", partitions: 2);
        await ProduceAsync(topic);

        CliResult consume = await broker.RunAsync("perf", "consume", "--topic", topic, "--messages", Records.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "30000");
        consume.AssertSuccess();

        string[] lines = consume.Lines;
        Assert.Equal(2, lines.Length);
        string[] columns = lines[0].Split(", ");
        string[] values = lines[1].Split(", ");
        Assert.Equal(
            ["start.time", "end.time", "data.consumed.in.MB", "MB.sec", "data.consumed.in.nMsg", "nMsg.sec", "rebalance.time.ms", "fetch.time.ms", "fetch.MB.sec", "fetch.nMsg.sec"],
            columns);
        Assert.Equal(columns.Length, values.Length);
        Assert.Equal(Records.ToString(System.Globalization.CultureInfo.InvariantCulture), values[Array.IndexOf(columns, "data.consumed.in.nMsg")]);

        // 300 records of 100 bytes: 30000 bytes = 0.0286 MiB, printed with four decimals as Kafka does.
        Assert.Equal("0.0286", values[Array.IndexOf(columns, "data.consumed.in.MB")]);
    }

    private async Task<CliResult> ProduceAsync(string topic)
    {
        CliResult produce = await broker.RunAsync(
            "perf", "produce", "--topic", topic, "--num-records", Records.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--record-size", "100", "--throughput", "-1", "--producer-props", "acks=all");
        produce.AssertSuccess();
        return produce;
    }
}
