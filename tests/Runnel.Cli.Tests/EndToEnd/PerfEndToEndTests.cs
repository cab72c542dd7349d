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
    public async Task Perf_produce_with_key_count_cycles_through_that_many_keys_so_a_compacted_topic_accepts_it()
    {
        string topic = await broker.CreateTopicAsync("perf-produce-keyed", partitions: 1, "cleanup.policy=compact");

        CliResult produce = await broker.RunAsync(
            "perf", "produce", "--topic", topic, "--num-records", "30", "--record-size", "10", "--throughput", "-1", "--key-count", "7");
        produce.AssertSuccess();

        CliResult consume = await broker.RunAsync("consume", "--topic", topic, "--from-beginning", "--max-messages", "30", "--property", "print.key=true", "--timeout-ms", "30000");
        consume.AssertSuccess();
        string[] keys = [.. consume.Lines.Select(line => line.Split('\t')[0])];
        Assert.Equal(30, keys.Length);
        Assert.Equal(7, keys.Distinct().Count());
        Assert.Equal(["0000000000", "0000000001", "0000000006", "0000000000"], [keys[0], keys[1], keys[6], keys[7]]);
    }

    [Fact]
    public async Task Perf_produce_with_a_transactional_id_commits_its_records_in_transactions()
    {
        string topic = await broker.CreateTopicAsync("perf-produce-transactional", partitions: 1);

        CliResult produce = await broker.RunAsync(
            "perf", "produce", "--topic", topic, "--num-records", Records.ToString(System.Globalization.CultureInfo.InvariantCulture), "--record-size", "10",
            "--throughput", "1000", "--transactional-id", "perf-txn", "--transaction-duration-ms", "50");
        produce.AssertSuccess();
        Assert.StartsWith($"{Records} records sent", produce.Lines[^1], StringComparison.Ordinal);

        // Every record committed (read_committed sees them all), and the log holds the commit markers
        // of several transactions (about 300 ms of sending in 50 ms transactions) after them.
        CliResult consume = await broker.RunAsync("consume", "--topic", topic, "--from-beginning", "--max-messages", Records.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--consumer-property", "isolation.level=read_committed", "--timeout-ms", "30000");
        consume.AssertSuccess();
        Assert.Equal(Records, consume.Lines.Length);
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig { BootstrapServers = broker.Broker.BootstrapServers, GroupId = "perf-txn-check" }).Build();
        long end = consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).High.Value;
        Assert.InRange(end - Records, 3, Records);
    }

    [Fact]
    public async Task Perf_group_join_times_every_run_and_summarises_them()
    {
        string topic = await broker.CreateTopicAsync("perf-group-join", partitions: 2);

        CliResult result = await broker.RunAsync("perf", "group-join", "--topic", topic, "--members", "2", "--runs", "2", "-X", "heartbeat.interval.ms=100");

        result.AssertSuccess();
        Assert.Equal("run, members, protocol, stabilise.ms", result.Lines[0]);
        Assert.Matches(@"^1, 2, classic-eager, \d+$", result.Lines[1]);
        Assert.Matches(@"^2, 2, classic-eager, \d+$", result.Lines[2]);
        Assert.Matches(@"^min \d+ ms, median \d+ ms, max \d+ ms$", result.Lines[3]);
    }

    [Fact]
    public async Task Perf_group_join_refuses_a_topic_with_fewer_partitions_than_members()
    {
        string topic = await broker.CreateTopicAsync("perf-group-join-small", partitions: 1);

        CliResult result = await broker.RunAsync("perf", "group-join", "--topic", topic, "--members", "3");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("give it at least --members (3)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Perf_group_commit_reports_acknowledged_commits_and_the_broker_stored_them()
    {
        string topic = await broker.CreateTopicAsync("perf-group-commit");

        CliResult result = await broker.RunAsync("perf", "group-commit", "--topic", topic, "--groups", "5", "--concurrency", "2", "--duration", "500");

        result.AssertSuccess();
        Assert.Equal("groups, concurrency, commits, failures, seconds, commits.sec", result.Lines[0]);
        string[] values = result.Lines[1].Split(", ");
        Assert.Equal("5", values[0]);
        Assert.True(long.Parse(values[2], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("0", values[3]);
        CliResult groups = await broker.RunAsync("groups", "list");
        Assert.Equal(5, groups.Lines.Count(l => l.StartsWith("runnel-perf-commit-", StringComparison.Ordinal)));
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

    [Fact]
    public async Task Perf_produce_with_wire_producers_writes_every_record_and_ends_with_kafkas_summary_line()
    {
        string topic = await broker.CreateTopicAsync("perf-produce-wire", partitions: 3);

        CliResult produce = await broker.RunAsync(
            "perf", "produce", "--topic", topic, "--num-records", "5000", "--record-size", "100", "--throughput", "-1",
            "--wire-producers", "--producers", "2", "--producer-props", "acks=all", "linger.ms=2", "batch.size=4096");
        produce.AssertSuccess();

        Assert.Matches(
            @"^5000 records sent, \d+\.\d{6} records/sec \(\d+\.\d{2} MB/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$",
            produce.Lines[^1]);
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig { BootstrapServers = broker.Broker.BootstrapServers, GroupId = "perf-wire-check" }).Build();
        long written = 0;
        for (int partition = 0; partition < 3; partition++)
        {
            written += consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, partition), TimeSpan.FromSeconds(10)).High.Value;
        }

        Assert.Equal(5000, written);

        // Every record is the tool's: 100 bytes, no key (perf consume counts key and value bytes).
        CliResult consume = await broker.RunAsync("perf", "consume", "--wire", "--topic", topic, "--messages", "5000", "--timeout", "30000");
        consume.AssertSuccess();
        string[] columns = consume.Lines[0].Split(", ");
        string[] values = consume.Lines[1].Split(", ");
        Assert.Equal("0.4768", values[Array.IndexOf(columns, "data.consumed.in.MB")]);
    }

    [Fact]
    public async Task Perf_produce_with_wire_producers_refuses_a_property_they_would_ignore()
    {
        string topic = await broker.CreateTopicAsync("perf-produce-wire-props", partitions: 1);

        CliResult produce = await broker.RunAsync(
            "perf", "produce", "--topic", topic, "--num-records", "10", "--record-size", "100", "--wire-producers", "--producer-props", "compression.type=lz4");

        Assert.Equal(1, produce.ExitCode);
        Assert.Contains("compression.type is not supported with --wire-producers", produce.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Perf_consume_over_the_wire_reports_every_record_perf_produce_wrote()
    {
        string topic = await broker.CreateTopicAsync("perf-consume-wire", partitions: 3);
        await ProduceAsync(topic);

        CliResult consume = await broker.RunAsync(
            "perf", "consume", "--wire", "--topic", topic, "--messages", Records.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "30000",
            "-X", "check.crcs=true");
        consume.AssertSuccess();

        string[] columns = consume.Lines[0].Split(", ");
        string[] values = consume.Lines[1].Split(", ");
        Assert.Equal(2, consume.Lines.Length);
        Assert.Equal(Records.ToString(System.Globalization.CultureInfo.InvariantCulture), values[Array.IndexOf(columns, "data.consumed.in.nMsg")]);
        Assert.Equal("0.0286", values[Array.IndexOf(columns, "data.consumed.in.MB")]);
    }

    [Theory]
    [InlineData("read_committed", "0.0381")]
    [InlineData("read_uncommitted", "0.1240")]
    public async Task Perf_consume_over_the_wire_skips_aborted_transactions_when_reading_committed(string isolation, string megabytes)
    {
        // In offset order: three committed records of 10,000 bytes, two aborted ones of 100,000, one
        // more committed of 10,000. The first four records a consumer sees are 40,000 bytes when it
        // reads committed, 130,000 when it does not.
        string topic = await broker.CreateTopicAsync("perf-consume-wire-txn-" + isolation, partitions: 1);
        using (var producer = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, byte[]>(new Confluent.Kafka.ProducerConfig
        {
            BootstrapServers = broker.Broker.BootstrapServers,
            TransactionalId = "perf-consume-wire-" + isolation,
        }).Build())
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            foreach ((int count, int size, bool commit) in new[] { (3, 10_000, true), (2, 100_000, false), (1, 10_000, true) })
            {
                producer.BeginTransaction();
                for (int i = 0; i < count; i++)
                {
                    await producer.ProduceAsync(topic, new Confluent.Kafka.Message<Confluent.Kafka.Null, byte[]> { Value = new byte[size] });
                }

                if (commit)
                {
                    producer.CommitTransaction(TimeSpan.FromSeconds(30));
                }
                else
                {
                    producer.AbortTransaction(TimeSpan.FromSeconds(30));
                }
            }
        }

        CliResult consume = await broker.RunAsync(
            "perf", "consume", "--wire", "--topic", topic, "--messages", "4", "--timeout", "30000", "-X", "isolation.level=" + isolation);
        consume.AssertSuccess();

        string[] columns = consume.Lines[0].Split(", ");
        string[] values = consume.Lines[1].Split(", ");
        Assert.Equal("4", values[Array.IndexOf(columns, "data.consumed.in.nMsg")]);
        Assert.Equal(megabytes, values[Array.IndexOf(columns, "data.consumed.in.MB")]);
    }

    [Fact]
    public async Task Perf_consume_over_the_wire_refuses_librdkafka_properties_it_would_ignore()
    {
        string topic = await broker.CreateTopicAsync("perf-consume-wire-props", partitions: 1);

        CliResult consume = await broker.RunAsync("perf", "consume", "--wire", "--topic", topic, "--messages", "1", "-X", "queued.min.messages=1000");

        Assert.Equal(1, consume.ExitCode);
        Assert.Contains("queued.min.messages is not supported with --wire", consume.Error, StringComparison.Ordinal);
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
