using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Runnel.Cli.Tests.EndToEnd;

[Collection(CliBrokerCollection.Name)]
public sealed partial class PerfEndToEndWireProducersTests(CliBrokerFixture broker)
{
    [Theory]
    [InlineData("-1")]
    [InlineData("1")]
    public async Task Wire_producers_send_every_record_once_and_each_producer_gets_its_share_acknowledged(string acks)
    {
        const int Partitions = 6;
        string topic = await broker.CreateTopicAsync("perf-e2e-wire", Partitions);

        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "3000", "--producer-acks", acks, "--throughput", "3000", "--record-size", "16",
            "--producers", "4", "--wire-producers");

        result.AssertSuccess();
        Assert.Matches(
            @"^3000 records, \d+\.\d records/sec \(\d+\.\d{2} MB/sec\), latency ms: avg \d+\.\d{3}, p50 \d+\.\d{3}, p95 \d+\.\d{3}, p99 \d+\.\d{3}, p99\.9 \d+\.\d{3}, max \d+\.\d{3}$",
            result.Lines[^2]);
        // Records k, k+4, ... go through producer k: a quarter each, all acknowledged.
        Assert.Equal("Records acknowledged per producer: 750, 750, 750, 750", result.Lines[^1]);
        Assert.Equal(3000, EndOffsets(topic, Partitions).Sum());
    }

    [Fact]
    public async Task Wire_producers_fill_batches_up_to_batch_size_while_records_linger()
    {
        const int Partitions = 3;
        string topic = await broker.CreateTopicAsync("perf-e2e-wire-batch", Partitions);

        // Each producer gets 500 records/s, so a batch's worth is due within about 20 ms of its oldest
        // record, well before its 50 ms linger ends: a batch goes when it is full, except each
        // producer's last, which goes when its linger ends.
        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "3000", "--producer-acks", "all", "--throughput", "2000", "--record-size", "32",
            "--producers", "4", "--wire-producers", "--producer-props", "linger.ms=50", "batch.size=500");

        result.AssertSuccess();
        Assert.Matches(@"^3000 records, ", result.Lines[^2]);
        Assert.Equal("Records acknowledged per producer: 750, 750, 750, 750", result.Lines[^1]);
        List<int> batches = [];
        for (int partition = 0; partition < Partitions; partition++)
        {
            batches.AddRange(await BatchRecordCountsAsync(topic, partition));
        }

        // A record of 32 value bytes takes 39 (length, attributes, timestamp delta, offset delta, null
        // key, value length, value, header count), so 11 fit in 500 bytes with the 61-byte header:
        // each producer's 750 records go in 68 full batches and a last one of 2.
        Assert.Equal([.. Enumerable.Repeat(2, 4), .. Enumerable.Repeat(11, 4 * 68)], batches.Order());
        Assert.Equal(3000, EndOffsets(topic, Partitions).Sum());
    }

    private long[] EndOffsets(string topic, int partitions)
    {
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(
            new ConsumerConfig { BootstrapServers = broker.Broker.BootstrapServers, GroupId = "perf-e2e-wire-check" }).Build();
        return [.. Enumerable.Range(0, partitions).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value)];
    }

    /// <summary>The record count of each batch in a partition's first segment, as <c>runnel dump-log</c> prints them.</summary>
    private async Task<IEnumerable<int>> BatchRecordCountsAsync(string topic, int partition)
    {
        string segment = Path.Combine(broker.Broker.DataDirectory, $"{topic}-{partition}", "00000000000000000000.log");
        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", segment);
        dump.AssertSuccess();
        return dump.Lines.Select(line => BatchCount().Match(line)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^baseOffset: \d+ lastOffset: \d+ count: (\d+) ")]
    private static partial Regex BatchCount();
}
