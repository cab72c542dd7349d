using System.CommandLine;
using Runnel.Cli.Commands;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Commands;

public class PerfEndToEndCommandLineTests
{
    [Fact]
    public void Perf_e2e_reads_its_flags_and_gives_each_client_its_own_properties()
    {
        (PerfEndToEndCommand command, ParseResult result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "-b", "h:1", "--topic", "lat", "--num-records", "5000", "--record-size", "64", "--producer-acks", "-1",
            "--throughput", "2000", "--producer-props", "linger.ms=2", "--consumer-props", "fetch.wait.max.ms=5", "bootstrap.servers=other:2",
            "--broker-pid", "42", "--metrics-url", "http://127.0.0.1:9404", "--csv", "e2e.csv", "--reporting-interval", "250");

        EndToEndLatencySettings settings = command.Bind(result);

        Assert.Equal("lat", settings.Topic);
        Assert.Equal(5000, settings.NumRecords);
        Assert.Equal(64, settings.RecordSize);
        Assert.Equal("all", settings.Acks);
        Assert.Equal(2000, settings.Throughput);
        Assert.True(settings.FixedRate);
        Assert.Equal("2", settings.ProducerConfig["linger.ms"]);
        Assert.False(settings.ProducerConfig.ContainsKey("fetch.wait.max.ms"));
        Assert.Equal("5", settings.ConsumerConfig["fetch.wait.max.ms"]);
        Assert.Equal("h:1", settings.ConsumerConfig["bootstrap.servers"]);
        Assert.Equal(42, settings.BrokerPid);
        Assert.Equal("http://127.0.0.1:9404", settings.MetricsUrl);
        Assert.Equal("e2e.csv", settings.CsvPath);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.ReportingInterval);
    }

    [Fact]
    public void Perf_e2e_defaults_to_kafkas_one_at_a_time_mode_with_100_byte_records()
    {
        (PerfEndToEndCommand command, ParseResult result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "lat", "--num-records", "10", "--producer-acks", "1");

        EndToEndLatencySettings settings = command.Bind(result);

        Assert.False(settings.FixedRate);
        Assert.Equal(100, settings.RecordSize);
        Assert.Equal("1", settings.Acks);
    }

    [Fact]
    public void Perf_e2e_latency_defaults_yield_to_the_users_properties()
    {
        (PerfEndToEndCommand command, ParseResult result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "lat", "--num-records", "10", "--producer-acks", "all",
            "--producer-props", "linger.ms=3", "acks=0", "--consumer-props", "enable.auto.commit=true");
        EndToEndLatencySettings settings = command.Bind(result);

        Dictionary<string, string> producer = EndToEndLatency.BuildProducerConfig(settings);
        Dictionary<string, string> consumer = EndToEndLatency.BuildConsumerConfig(settings);

        Assert.Equal("3", producer["linger.ms"]);
        Assert.Equal("all", producer["acks"]);
        Assert.Equal("false", consumer["enable.auto.commit"]);
        Assert.Equal("0", consumer["fetch.wait.max.ms"]);
        Assert.Equal("latest", consumer["auto.offset.reset"]);
        Assert.StartsWith("test-group-", consumer["group.id"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public void Perf_e2e_refuses_acks_that_do_not_wait_for_the_write(string acks)
    {
        Assert.Contains(
            "Latency testing requires synchronous acknowledgement. Please use 1 or all",
            CommandLine.Errors("perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", acks),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--throughput", "10", "--throughput", "20")]
    [InlineData("--throughput", "fast")]
    [InlineData("--record-size", "8", "--record-size", "9")]
    [InlineData("--producers", "2", "--producers", "3")]
    [InlineData("--producers", "many")]
    public void Perf_e2e_reports_an_option_given_twice_or_unparsable_instead_of_failing(params string[] option)
    {
        string errors = CommandLine.Errors(["perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", .. option]);

        Assert.Contains($"'{option[0]}'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Perf_e2e_requires_producer_acks_as_kafkas_tool_does()
    {
        Assert.Contains("--producer-acks", CommandLine.Errors("perf", "e2e", "--topic", "t", "--num-records", "1"), StringComparison.Ordinal);
    }

    [Fact]
    public void Perf_e2e_at_a_fixed_rate_needs_room_for_the_send_time_in_each_value()
    {
        Assert.Contains(
            "--record-size must be at least 8 with --throughput",
            CommandLine.Errors("perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", "--throughput", "10", "--record-size", "7"),
            StringComparison.Ordinal);
        Assert.Equal(string.Empty, CommandLine.Errors("perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", "--throughput", "10"));
    }

    [Fact]
    public void Perf_e2e_sends_through_several_producers_only_at_a_fixed_rate()
    {
        (PerfEndToEndCommand command, ParseResult result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "t", "--num-records", "100", "--producer-acks", "1", "--throughput", "1000", "--producers", "100");
        Assert.Equal(100, command.Bind(result).Producers);

        (command, result) = CommandLine.ParseValid<PerfEndToEndCommand>("perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1");
        Assert.Equal(1, command.Bind(result).Producers);

        Assert.Contains(
            "--producers above 1 needs --throughput",
            CommandLine.Errors("perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", "--producers", "2"),
            StringComparison.Ordinal);
        Assert.Contains(
            "--producers must be between 1 and 1000",
            CommandLine.Errors("perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", "--throughput", "10", "--producers", "0"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_wire_consumer_is_read_from_its_flag_off_by_default_and_keeps_the_latency_default_unless_told()
    {
        (PerfEndToEndCommand command, ParseResult result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "t", "--num-records", "100", "--producer-acks", "1", "--throughput", "1000", "--wire-consumer");
        EndToEndLatencySettings settings = command.Bind(result);
        Assert.True(settings.WireConsumer);
        Assert.Equal("0", EndToEndLatency.BuildWireConsumerConfig(settings)["fetch.wait.max.ms"]);

        (command, result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "t", "--num-records", "100", "--producer-acks", "1", "--throughput", "1000", "--wire-consumer",
            "--consumer-props", "fetch.wait.max.ms=500");
        Assert.Equal("500", EndToEndLatency.BuildWireConsumerConfig(command.Bind(result))["fetch.wait.max.ms"]);

        (command, result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "t", "--num-records", "100", "--producer-acks", "1", "--throughput", "1000");
        Assert.False(command.Bind(result).WireConsumer);
    }

    [Fact]
    public void The_wire_consumer_needs_a_fixed_rate()
    {
        Assert.Contains(
            "--wire-consumer needs --throughput",
            CommandLine.Errors("perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", "--wire-consumer"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Warmup_records_are_read_and_default_to_none()
    {
        (PerfEndToEndCommand command, ParseResult result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "t", "--num-records", "100", "--producer-acks", "1", "--throughput", "1000", "--warmup-records", "40");
        Assert.Equal(40, command.Bind(result).WarmupRecords);

        (command, result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "t", "--num-records", "100", "--producer-acks", "1", "--throughput", "1000");
        Assert.Equal(0, command.Bind(result).WarmupRecords);
    }

    [Theory]
    [InlineData("--warmup-records needs --throughput", "--warmup-records", "5")]
    [InlineData("--warmup-records must be at least 0 and less than --num-records", "--throughput", "10", "--warmup-records", "100")]
    [InlineData("--warmup-records must be at least 0 and less than --num-records", "--throughput", "10", "--warmup-records", "-1")]
    public void Warmup_records_need_a_fixed_rate_and_leave_records_to_measure(string error, params string[] flags)
    {
        Assert.Contains(
            error,
            CommandLine.Errors(["perf", "e2e", "--topic", "t", "--num-records", "100", "--producer-acks", "1", .. flags]),
            StringComparison.Ordinal);
    }
}
