namespace Runnel.Cli.Perf;

/// <summary>What <c>runnel perf produce</c> was asked to do, after parsing and validation.</summary>
/// <param name="Topic">The topic to produce to.</param>
/// <param name="NumRecords">How many records to send.</param>
/// <param name="RecordSize">Payload size in bytes (random A–Z, one payload reused); null with a payload file.</param>
/// <param name="PayloadFile">A file of payloads to pick from at random; null with a record size.</param>
/// <param name="PayloadDelimiter">What separates payloads in the file.</param>
/// <param name="Throughput">Target records per second; zero or negative for no limit.</param>
/// <param name="Config">librdkafka properties.</param>
/// <param name="PrintMetrics">Print the client's statistics at the end.</param>
/// <param name="ReportingInterval">How often to print a progress line.</param>
/// <param name="CsvPath">Append a summary row to this CSV file; null for none.</param>
/// <param name="BrokerPid">Report this broker process's CPU, memory and disk writes; null for none.</param>
/// <param name="KeyCount">Runnel extension: key the records with this many distinct keys in turn (0: no key, as Kafka's tool).</param>
/// <param name="TransactionalId">With transactions: the producer's transactional.id; null without transactions.</param>
/// <param name="TransactionDurationMs">With transactions: commit once a transaction is this old (Kafka's tool commits after the send that passes it).</param>
/// <param name="MetricsUrl">Report the broker's GC work from this Prometheus endpoint; null for none.</param>
/// <param name="WireProducers">Runnel extension: send with this many of Runnel's own protocol clients instead of a librdkafka producer (0: librdkafka).</param>
internal sealed record ProducerPerfSettings(
    string Topic,
    long NumRecords,
    int? RecordSize,
    string? PayloadFile,
    string PayloadDelimiter,
    double Throughput,
    Dictionary<string, string> Config,
    bool PrintMetrics,
    TimeSpan ReportingInterval,
    string? CsvPath,
    int? BrokerPid,
    int KeyCount = 0,
    string? TransactionalId = null,
    long TransactionDurationMs = 0,
    string? MetricsUrl = null,
    int WireProducers = 0)
{
    /// <summary>True when records are sent in transactions.</summary>
    public bool TransactionsEnabled => TransactionalId is not null;
}
