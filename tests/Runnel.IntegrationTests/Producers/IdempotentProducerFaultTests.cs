using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Producers;

/// <summary>
/// A proxy cuts the connection after the broker has stored a produce request and before its answer
/// reaches the client, every few produce requests. librdkafka retries those batches: an idempotent
/// producer still writes every record exactly once and in order; a plain one writes duplicates
/// (which shows the fault really makes clients resend).
/// </summary>
public sealed class IdempotentProducerFaultTests
{
    private const string Topic = "payments";
    private const int Count = 3000;
    private const short ProduceApiKey = 0;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dropped_produce_responses_make_the_client_retry_and_only_idempotence_keeps_records_exactly_once(bool idempotent)
    {
        using var dir = new TempDirectory("idempotence-faults");
        await using var proxy = ResponseDroppingProxy.Start();
        var config = new Dictionary<string, string> { ["advertised.listeners"] = $"PLAINTEXT://127.0.0.1:{proxy.Port.ToString(CultureInfo.InvariantCulture)}" };
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path, Config = config }, TestContext.Current.CancellationToken);
        proxy.ConnectTo(broker.Port);
        var bootstrap = $"127.0.0.1:{proxy.Port.ToString(CultureInfo.InvariantCulture)}";
        using (var admin = Clients.CreateAdmin(bootstrap))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        // Every 4th produce response is lost, at most ten times.
        var produceResponses = 0;
        proxy.DropResponse = apiKey => apiKey == ProduceApiKey && Interlocked.Increment(ref produceResponses) % 4 == 0 && proxy.DroppedResponses < 10;
        var failures = 0;
        using (var producer = Clients.CreateProducer(bootstrap, c =>
        {
            c.EnableIdempotence = idempotent;
            c.Acks = Acks.All;
            c.LingerMs = 0;
            c.BatchSize = 1024;
            c.MessageSendMaxRetries = 100;
            c.RetryBackoffMs = 10;
            c.MessageTimeoutMs = 60_000;
        }))
        {
            for (var i = 0; i < Count; i++)
            {
                producer.Produce(Topic, new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)) },
                    report => { if (report.Error.IsError) { Interlocked.Increment(ref failures); } });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(90)));
        }

        Assert.Equal(0, failures);
        Assert.True(proxy.DroppedResponses >= 3, $"{proxy.DroppedResponses} responses dropped of {produceResponses}");
        proxy.DropResponse = static _ => false;
        var stored = ReadAll(broker.BootstrapServers);
        if (idempotent)
        {
            Assert.Equal(Enumerable.Range(0, Count), stored);
        }
        else
        {
            Assert.True(stored.Count > Count, $"{stored.Count} records stored: the dropped responses caused no resend");
            Assert.Equal(Enumerable.Range(0, Count), stored.Distinct().Order());
        }
    }

    /// <summary>Every value in the partition, read directly from the broker (not through the proxy's metadata).</summary>
    private static List<int> ReadAll(string brokerBootstrap)
    {
        using var consumer = Clients.CreateConsumer(brokerBootstrap, c => c.EnablePartitionEof = true);
        consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
        var values = new List<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                return values;
            }

            values.Add(int.Parse(Encoding.UTF8.GetString(result.Message.Value!), CultureInfo.InvariantCulture));
        }

        throw new TimeoutException($"read {values.Count} records without reaching the end");
    }
}
