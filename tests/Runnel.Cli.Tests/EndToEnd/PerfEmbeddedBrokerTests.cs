namespace Runnel.Cli.Tests.EndToEnd;

public sealed class PerfEmbeddedBrokerTests
{
    [Fact]
    public async Task Perf_produce_with_an_embedded_broker_starts_it_in_process_and_sends_every_record_to_it()
    {
        // No --bootstrap-server: without the embedded broker the producer would find nobody at
        // localhost:9092 and the run would fail.
        CliResult result = await CliRunner.RunAsync(
            null,
            "perf", "produce", "--topic", "embedded", "--num-records", "200", "--record-size", "64", "--throughput", "-1",
            "--producer-props", "acks=all", "--embedded-broker", "--embedded-broker-config", "num.partitions=3");

        result.AssertSuccess();
        Assert.Matches(@"^Embedded broker ready at 127\.0\.0\.1:\d+ in \d+\.\d ms\.$", result.Lines[0]);
        Assert.Matches(@"^200 records sent, ", result.Lines[^1]);
    }

    [Fact]
    public void Embedded_broker_properties_must_be_key_value_pairs()
    {
        string errors = Commands.CommandLine.Errors(
            "perf", "produce", "--topic", "t", "--num-records", "1", "--record-size", "1", "--embedded-broker", "--embedded-broker-config", "num.partitions");

        Assert.NotEqual(string.Empty, errors);
    }
}
