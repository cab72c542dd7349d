using Confluent.Kafka;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>The broker as users run it: <c>runnel broker</c> in a process, stopped by SIGTERM.</summary>
public sealed class BrokerProcessLifecycleTests
{
    [Fact]
    public async Task SIGTERM_stops_the_broker_cleanly_and_the_next_start_keeps_the_data()
    {
        using var dir = new TempDirectory("lifecycle");
        await using (var broker = await RunnelBrokerProcess.StartAsync(dir.Path))
        {
            using var producer = Clients.CreateProducer(broker.BootstrapServers);
            var delivered = await producer.ProduceAsync("lifecycle", new Message<byte[]?, byte[]?> { Value = [42] }, TestContext.Current.CancellationToken);
            Assert.Equal(0, delivered.Offset.Value);

            var exitCode = await broker.TerminateAsync(TimeSpan.FromSeconds(30));
            Assert.True(exitCode == 0, $"exit code {exitCode}\n{broker.DescribeOutput()}");
        }

        // A clean stop leaves the marker that lets the next start skip recovery.
        Assert.True(File.Exists(Path.Combine(dir.Path, ".runnel_cleanshutdown")), "clean-shutdown marker missing");

        await using var restarted = await RunnelBrokerProcess.StartAsync(dir.Path);
        using var consumer = Clients.CreateConsumer(restarted.BootstrapServers);
        consumer.Assign(new TopicPartitionOffset("lifecycle", 0, Offset.Beginning));
        Assert.Equal([42], Clients.ConsumeExactly(consumer, 1)[0].Message.Value);
    }

    [Fact]
    public async Task An_unknown_config_key_fails_startup_with_a_message_naming_it()
    {
        using var dir = new TempDirectory("badconfig");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RunnelBrokerProcess.StartAsync(dir.Path, ["no.such.key=1", "num.partitions=zero"]));
        Assert.Contains("no.such.key", error.Message, StringComparison.Ordinal);
        Assert.Contains("num.partitions", error.Message, StringComparison.Ordinal);
    }
}
