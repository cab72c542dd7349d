using System.CommandLine;
using Runnel.Cli.Commands;

namespace Runnel.Cli.Tests.Commands;

public class PerfEndToEndWireProducersCommandLineTests
{
    [Fact]
    public void Wire_producers_are_read_from_the_flag_and_off_by_default()
    {
        (PerfEndToEndCommand command, ParseResult result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "t", "--num-records", "100", "--producer-acks", "1", "--throughput", "1000", "--producers", "100", "--wire-producers");
        Assert.True(command.Bind(result).WireProducers);

        (command, result) = CommandLine.ParseValid<PerfEndToEndCommand>(
            "perf", "e2e", "--topic", "t", "--num-records", "100", "--producer-acks", "1", "--throughput", "1000");
        Assert.False(command.Bind(result).WireProducers);
    }

    [Fact]
    public void Wire_producers_need_a_fixed_rate()
    {
        Assert.Contains(
            "--wire-producers needs --throughput",
            CommandLine.Errors("perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", "--wire-producers"),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--producer-props")]
    [InlineData("-X")]
    public void Wire_producers_refuse_a_producer_property_they_do_not_honour_by_name(string option)
    {
        string errors = CommandLine.Errors(
            "perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", "--throughput", "10", "--wire-producers",
            option, "compression.type=lz4", option, "linger.ms=5");

        Assert.Equal(
            "Producer property compression.type is not supported with --wire-producers (supported: acks, batch.size, bootstrap.servers, client.id, "
            + "linger.ms, max.in.flight.requests.per.connection, request.timeout.ms, socket.nagle.disable).",
            errors);
    }

    [Fact]
    public void Wire_producers_accept_the_properties_they_honour()
    {
        Assert.Equal(
            string.Empty,
            CommandLine.Errors(
                "perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "all", "--throughput", "10", "--wire-producers",
                "--producer-props", "linger.ms=2.5", "batch.size=1000", "max.in.flight.requests.per.connection=1", "request.timeout.ms=500",
                "client.id=me", "acks=1", "socket.nagle.disable=true", "bootstrap.servers=a:1,[::1]:2"));
    }

    [Theory]
    [InlineData("batch.size=0", "batch.size must be a whole number from 1 to 104857600 (got '0').")]
    [InlineData("max.in.flight.requests.per.connection=x", "max.in.flight.requests.per.connection must be a whole number from 1 to 2147483647 (got 'x').")]
    [InlineData("linger.ms=-1", "linger.ms must be a number of milliseconds from 0 to 900000 (got '-1').")]
    [InlineData("socket.nagle.disable=false", "socket.nagle.disable must be true with --wire-producers: they always set TCP_NODELAY.")]
    [InlineData("bootstrap.servers=SSL://h:1", "bootstrap.servers entry 'SSL://h:1': only PLAINTEXT is spoken, not SSL.")]
    public void Wire_producers_refuse_a_value_out_of_range(string property, string error)
    {
        Assert.Equal(
            error,
            CommandLine.Errors(
                "perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", "--throughput", "10", "--wire-producers", "--producer-props", property));
    }

    [Fact]
    public void Without_wire_producers_any_producer_property_goes_to_librdkafka()
    {
        Assert.Equal(
            string.Empty,
            CommandLine.Errors("perf", "e2e", "--topic", "t", "--num-records", "1", "--producer-acks", "1", "--throughput", "10", "--producer-props", "compression.type=lz4"));
    }
}
