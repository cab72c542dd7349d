using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.TestKit;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// A broker process whose topic <see cref="Topic"/> holds <see cref="AbortedTransactionsScenario"/>.
/// No client can produce transactionally yet, so the data directory is prepared before the process
/// starts: an in-process broker creates the topic and shuts down cleanly, the partition's log is
/// opened directly and the scenario appended (batches and markers as the transaction coordinator
/// will write them), and the process then loads that log, its <c>.txnindex</c> included.
/// </summary>
public sealed class AbortedTransactionsBrokerProcess : BrokerProcess
{
    public string Topic { get; } = TestRecords.NewTopicName("transactions");

    protected override async Task PrepareDataDirectoryAsync(string dataDirectory)
    {
        await using (var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dataDirectory }))
        {
            using var admin = new DotNetKafka(broker.BootstrapServers).CreateAdmin();
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        // log.dirs is the data directory; a partition lives in <topic>-<partition> (docs/formats/segment.md).
        await AbortedTransactionsScenario.WriteAsync(Path.Combine(dataDirectory, Topic + "-0"), Topic);
    }
}
