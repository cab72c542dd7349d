using Confluent.Kafka;

namespace Runnel.Cli.Tests.EndToEnd;

[Collection(CliBrokerCollection.Name)]
public sealed class PerfEndToEndWireConsumerTests(CliBrokerFixture broker)
{
    /// <summary>The fixed-rate summary line after the record count.</summary>
    private const string SummaryAfterCount =
        @" records, \d+\.\d records/sec \(\d+\.\d{2} MB/sec\), latency ms: avg \d+\.\d{3}, p50 \d+\.\d{3}, p95 \d+\.\d{3}, p99 \d+\.\d{3}, p99\.9 \d+\.\d{3}, max \d+\.\d{3}$";

    [Fact]
    public async Task Wire_consumer_measures_every_record_librdkafka_producers_send()
    {
        string topic = await broker.CreateTopicAsync("perf-e2e-wire-consumer", partitions: 4);

        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "600", "--producer-acks", "1", "--throughput", "2000", "--record-size", "32",
            "--producers", "2", "--wire-consumer");

        result.AssertSuccess();
        Assert.Matches("^600" + SummaryAfterCount, result.Lines[^2]);
        Assert.Equal("Records acknowledged per producer: 300, 300", result.Lines[^1]);
    }

    [Fact]
    public async Task Wire_consumer_long_polling_measures_every_record_wire_producers_send()
    {
        string topic = await broker.CreateTopicAsync("perf-e2e-wire-both", partitions: 6);

        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "3000", "--producer-acks", "all", "--throughput", "3000", "--record-size", "64",
            "--producers", "3", "--wire-producers", "--wire-consumer", "--consumer-props", "fetch.wait.max.ms=500", "check.crcs=true");

        result.AssertSuccess();
        Assert.Matches("^3000" + SummaryAfterCount, result.Lines[^2]);
        Assert.Equal("Records acknowledged per producer: 1000, 1000, 1000", result.Lines[^1]);
    }

    [Fact]
    public async Task Wire_consumer_run_creates_a_missing_topic_as_kafkas_tool_does()
    {
        string topic = CliBrokerFixture.NewTopic("perf-e2e-wire-new");

        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "50", "--producer-acks", "1", "--throughput", "500", "--record-size", "8", "--wire-consumer");

        // The topic check asks without auto-creation, so the tool sees the topic missing and creates it itself.
        result.AssertSuccess();
        Assert.Equal($"Topic \"{topic}\" does not exist. Will create topic with 1 partition(s) and replication factor = 1", result.Lines[0]);
        Assert.Matches("^50" + SummaryAfterCount, result.Lines[^1]);
    }

    [Fact]
    public async Task Wire_consumer_refuses_a_consumer_property_it_would_ignore_before_connecting()
    {
        string topic = await broker.CreateTopicAsync("perf-e2e-wire-refuse", partitions: 1);

        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "10", "--producer-acks", "1", "--throughput", "100", "--wire-consumer",
            "--consumer-props", "group.id=g");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Consumer property group.id is not supported with --wire-consumer", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Warmup_records_are_sent_and_received_but_left_out_of_the_summary_and_csv(bool wireConsumer)
    {
        string topic = await broker.CreateTopicAsync("perf-e2e-warmup", partitions: 3);
        string csv = Path.Combine(Path.GetTempPath(), $"runnel-e2e-warmup-{Guid.NewGuid():N}.csv");
        try
        {
            string[] args =
            [
                "perf", "e2e", "--topic", topic, "--num-records", "1000", "--warmup-records", "400", "--producer-acks", "all",
                "--throughput", "2000", "--record-size", "16", "--csv", csv,
            ];
            CliResult result = await broker.RunAsync(wireConsumer ? [.. args, "--wire-consumer"] : args);

            result.AssertSuccess();
            Assert.Matches("^600" + SummaryAfterCount, result.Lines[^1]);
            string[] rows = File.ReadAllLines(csv);
            string[] header = rows[0].Split(',');
            Assert.Equal("600", rows[1].Split(',')[Array.IndexOf(header, "records")]);

            // The warm-up records went through the topic all the same.
            using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(
                new ConsumerConfig { BootstrapServers = broker.Broker.BootstrapServers, GroupId = "warmup-check" }).Build();
            long written = Enumerable.Range(0, 3)
                .Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
            Assert.Equal(1000, written);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public async Task With_a_warmup_the_broker_figures_start_at_the_first_measured_record()
    {
        string topic = await broker.CreateTopicAsync("perf-e2e-warmup-usage", partitions: 2);
        int pid = Environment.ProcessId; // the test broker runs in this process

        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "600", "--warmup-records", "200", "--producer-acks", "1",
            "--throughput", "2000", "--record-size", "16", "--wire-consumer",
            "--broker-pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--metrics-url", broker.MetricsEndpoint.ToString());

        result.AssertSuccess();
        Assert.Contains(result.Lines, line => line.StartsWith("400 records, ", StringComparison.Ordinal));
        Assert.Contains(result.Lines, line => line.StartsWith($"Broker pid {pid}: ", StringComparison.Ordinal) && line.Contains(" CPU ms/MiB, ", StringComparison.Ordinal));
        Assert.Contains(result.Lines, line => line.StartsWith($"Broker pid {pid} GC: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_a_warmup_a_wrong_broker_pid_fails_before_the_run()
    {
        string topic = await broker.CreateTopicAsync("perf-e2e-warmup-pid", partitions: 1);

        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "5000", "--warmup-records", "2500", "--producer-acks", "1",
            "--throughput", "1000", "--record-size", "16", "--broker-pid", "2147483646");

        // Failing only after the 5-s schedule would print the summary first.
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--broker-pid 2147483646: cannot read /proc/2147483646/stat", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Lines, line => line.Contains(" records, ", StringComparison.Ordinal));
    }
}
