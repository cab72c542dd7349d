namespace Runnel.Cli.Perf;

/// <summary>What <c>runnel perf e2e</c> was asked to do, after parsing and validation.</summary>
/// <param name="Topic">The topic records go through (created with one partition when missing, as Kafka's tool does).</param>
/// <param name="NumRecords">How many records to measure.</param>
/// <param name="RecordSize">Value size in bytes; at least 8 at a fixed rate (the scheduled send time).</param>
/// <param name="Acks">The producer's acks: 1 or all.</param>
/// <param name="Throughput">Records per second at a fixed rate; zero or negative for Kafka's one-at-a-time mode.</param>
/// <param name="ProducerConfig">librdkafka properties of the producer.</param>
/// <param name="ConsumerConfig">librdkafka properties of the consumer.</param>
/// <param name="ReportingInterval">How often a progress line prints when output is redirected.</param>
/// <param name="CsvPath">Append a summary row to this CSV file; null for none.</param>
/// <param name="BrokerPid">Report this broker process's CPU, memory and disk writes; null for none.</param>
/// <param name="MetricsUrl">Report the broker's GC work from this Prometheus endpoint; null for none.</param>
/// <param name="Producers">Producer clients (connections) the records are sent through in turn; more than one only at a fixed rate.</param>
/// <param name="WireProducers">At a fixed rate, send through Runnel's own light protocol clients from one event loop instead of Confluent.Kafka producers.</param>
/// <param name="WireConsumer">At a fixed rate, read through Runnel's own fetch loop instead of a Confluent.Kafka consumer.</param>
/// <param name="WarmupRecords">At a fixed rate, how many of the first records are sent and received but not measured (fewer than <paramref name="NumRecords"/>).</param>
internal sealed record EndToEndLatencySettings(
    string Topic,
    long NumRecords,
    int RecordSize,
    string Acks,
    double Throughput,
    Dictionary<string, string> ProducerConfig,
    Dictionary<string, string> ConsumerConfig,
    TimeSpan ReportingInterval,
    string? CsvPath,
    int? BrokerPid,
    string? MetricsUrl,
    int Producers = 1,
    bool WireProducers = false,
    bool WireConsumer = false,
    long WarmupRecords = 0)
{
    /// <summary>True in fixed-rate mode (<c>--throughput R</c>, R &gt; 0).</summary>
    public bool FixedRate => Throughput > 0;
}
