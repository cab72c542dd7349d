using System.CommandLine;
using Runnel.Cli.Commands;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Commands;

public class PerfCommandLineTests
{
    [Fact]
    public void Perf_produce_reads_kafka_producer_perf_test_flags()
    {
        (PerfProduceCommand command, ParseResult result) = CommandLine.ParseValid<PerfProduceCommand>(
            "perf", "produce", "--topic", "bench", "--num-records", "1000000", "--record-size", "1024", "--throughput", "50000",
            "--producer-props", "acks=all", "linger.ms=5", "--print-metrics", "--csv", "out.csv", "--broker-pid", "1234");

        ProducerPerfSettings settings = command.Bind(result);

        Assert.Equal("bench", settings.Topic);
        Assert.Equal(1_000_000, settings.NumRecords);
        Assert.Equal(1024, settings.RecordSize);
        Assert.Null(settings.PayloadFile);
        Assert.Equal(50_000, settings.Throughput);
        Assert.Equal("all", settings.Config["acks"]);
        Assert.Equal("5", settings.Config["linger.ms"]);
        Assert.True(settings.PrintMetrics);
        Assert.Equal("out.csv", settings.CsvPath);
        Assert.Equal(1234, settings.BrokerPid);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ReportingInterval);
    }

    [Theory]
    [InlineData(new string[0], null, 0L)]
    [InlineData(new[] { "--transactional-id", "tx" }, "tx", 3000L)]
    [InlineData(new[] { "--transaction-duration-ms", "250" }, "performance-producer-default-transactional-id", 250L)]
    [InlineData(new[] { "--transactional-id", "tx", "--transaction-duration-ms", "20" }, "tx", 20L)]
    public void Perf_produce_turns_transactions_on_with_either_flag_and_defaults_the_other_as_Kafka(string[] flags, string? transactionalId, long durationMs)
    {
        (PerfProduceCommand command, ParseResult result) = CommandLine.ParseValid<PerfProduceCommand>(
            ["perf", "produce", "--topic", "t", "--num-records", "10", "--record-size", "1", .. flags]);

        ProducerPerfSettings settings = command.Bind(result);
        Assert.Equal(transactionalId, settings.TransactionalId);
        Assert.Equal(durationMs, settings.TransactionDurationMs);
        Assert.Equal(transactionalId is not null, settings.TransactionsEnabled);
    }

    [Fact]
    public void Perf_produce_uses_librdkafka_unless_wire_producers_are_asked_for()
    {
        (PerfProduceCommand command, ParseResult result) = CommandLine.ParseValid<PerfProduceCommand>(
            "perf", "produce", "--topic", "t", "--num-records", "10", "--record-size", "100");
        Assert.Equal(0, command.Bind(result).WireProducers);

        (command, result) = CommandLine.ParseValid<PerfProduceCommand>(
            "perf", "produce", "--topic", "t", "--num-records", "10", "--record-size", "100", "--wire-producers");
        Assert.Equal(1, command.Bind(result).WireProducers);

        (command, result) = CommandLine.ParseValid<PerfProduceCommand>(
            "perf", "produce", "--topic", "t", "--num-records", "10", "--record-size", "100", "--wire-producers", "--producers", "4");
        Assert.Equal(4, command.Bind(result).WireProducers);
    }

    [Theory]
    [InlineData("--producers needs --wire-producers", "--record-size", "100", "--producers", "2")]
    [InlineData("--producers must be between 1 and 1000", "--record-size", "100", "--wire-producers", "--producers", "0")]
    [InlineData("at least 8", "--record-size", "7", "--wire-producers")]
    [InlineData("need a librdkafka producer", "--payload-file", "p.txt", "--wire-producers")]
    [InlineData("need a librdkafka producer", "--record-size", "100", "--key-count", "3", "--wire-producers")]
    [InlineData("need a librdkafka producer", "--record-size", "100", "--transactional-id", "x", "--wire-producers")]
    [InlineData("need a librdkafka producer", "--record-size", "100", "--print-metrics", "--wire-producers")]
    public void Perf_produce_refuses_what_wire_producers_cannot_do(string error, params string[] flags)
    {
        Assert.Contains(error, CommandLine.Errors(["perf", "produce", "--topic", "t", "--num-records", "10", .. flags]), StringComparison.Ordinal);
    }

    [Fact]
    public void Perf_produce_is_unthrottled_by_default()
    {
        (PerfProduceCommand command, ParseResult result) = CommandLine.ParseValid<PerfProduceCommand>(
            "perf", "produce", "--topic", "t", "--num-records", "10", "--payload-file", "payloads.txt", "--payload-delimiter", @"\t");

        ProducerPerfSettings settings = command.Bind(result);
        Assert.Equal(-1, settings.Throughput);
        Assert.Equal("payloads.txt", settings.PayloadFile);
        Assert.Equal("\t", settings.PayloadDelimiter);
        Assert.False(settings.PrintMetrics);
        Assert.Null(settings.BrokerPid);
    }

    [Fact]
    public void Perf_produce_needs_exactly_one_of_record_size_and_payload_file()
    {
        const string Message = "exactly one of --record-size or --payload-file";
        Assert.Contains(Message, CommandLine.Errors("perf", "produce", "--topic", "t", "--num-records", "1"), StringComparison.Ordinal);
        Assert.Contains(Message, CommandLine.Errors("perf", "produce", "--topic", "t", "--num-records", "1", "--record-size", "1", "--payload-file", "f"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--num-records", "0")]
    [InlineData("--record-size", "-1")]
    [InlineData("--broker-pid", "0")]
    [InlineData("--reporting-interval", "0")]
    public void Perf_produce_rejects_out_of_range_values(string option, string value)
    {
        string[] args = ["perf", "produce", "--topic", "t", "--num-records", "5", "--record-size", "10", option, value];
        Assert.NotEmpty(CommandLine.Parse(args).Errors);
    }

    [Fact]
    public void Perf_produce_requires_topic_and_num_records()
    {
        string errors = CommandLine.Errors("perf", "produce", "--record-size", "10");
        Assert.Contains("--topic", errors, StringComparison.Ordinal);
        Assert.Contains("--num-records", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Perf_consume_reads_kafka_consumer_perf_test_flags_with_its_defaults()
    {
        (PerfConsumeCommand command, ParseResult result) = CommandLine.ParseValid<PerfConsumeCommand>(
            "perf", "consume", "--topic", "bench", "--messages", "500");

        ConsumerPerfSettings settings = command.Bind(result);

        Assert.Equal("bench", settings.Topic);
        Assert.Equal(500, settings.Messages);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ReportingInterval);
        Assert.False(settings.ShowDetailedStats);
        Assert.False(settings.HideHeader);
        Assert.Null(settings.Group);
        Assert.False(settings.FromLatest);
        Assert.False(settings.Wire);
        Assert.Equal(JavaDateFormat.ToDotNet(JavaDateFormat.KafkaDefault), settings.DateFormat);
    }

    [Fact]
    public void Perf_consume_reads_every_option()
    {
        (PerfConsumeCommand command, ParseResult result) = CommandLine.ParseValid<PerfConsumeCommand>(
            "perf", "consume", "--topic", "t", "--messages", "1", "--timeout", "2000", "--show-detailed-stats",
            "--reporting-interval", "1000", "--hide-header", "--group", "g", "--from-latest", "--date-format", "HH:mm",
            "-X", "fetch.max.bytes=1048576", "--csv", "c.csv", "--broker-pid", "99");

        ConsumerPerfSettings settings = command.Bind(result);

        Assert.Equal(TimeSpan.FromSeconds(2), settings.Timeout);
        Assert.True(settings.ShowDetailedStats);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.ReportingInterval);
        Assert.True(settings.HideHeader);
        Assert.Equal("g", settings.Group);
        Assert.True(settings.FromLatest);
        Assert.Equal("1048576", settings.Config["fetch.max.bytes"]);
        Assert.Equal("c.csv", settings.CsvPath);
        Assert.Equal(99, settings.BrokerPid);
    }

    [Fact]
    public void Perf_consume_requires_messages()
    {
        Assert.Contains("--messages", CommandLine.Errors("perf", "consume", "--topic", "t"), StringComparison.Ordinal);
    }

    [Fact]
    public void Perf_consume_over_the_wire_is_off_by_default_and_refuses_a_group()
    {
        (PerfConsumeCommand command, ParseResult result) = CommandLine.ParseValid<PerfConsumeCommand>(
            "perf", "consume", "--topic", "t", "--messages", "1", "--wire");

        Assert.True(command.Bind(result).Wire);
        Assert.Contains(
            "--wire reads every partition without a group",
            CommandLine.Errors("perf", "consume", "--topic", "t", "--messages", "1", "--wire", "--group", "g"),
            StringComparison.Ordinal);
    }
}
