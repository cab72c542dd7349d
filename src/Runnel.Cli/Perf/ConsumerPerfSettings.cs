namespace Runnel.Cli.Perf;

/// <summary>What <c>runnel perf consume</c> was asked to do, after parsing and validation.</summary>
/// <param name="Topic">The topic to read.</param>
/// <param name="Messages">How many records to read.</param>
/// <param name="Timeout">Give up when no record arrives for this long.</param>
/// <param name="ShowDetailedStats">Print a line per reporting interval instead of one summary.</param>
/// <param name="ReportingInterval">How often detailed stats print.</param>
/// <param name="HideHeader">Skip the column header line.</param>
/// <param name="DateFormat">.NET format for the time columns (converted from Java's).</param>
/// <param name="Group">Subscribe as this consumer group; null to assign every partition (no group needed).</param>
/// <param name="FromLatest">Start at the end of each partition instead of the beginning.</param>
/// <param name="Config">librdkafka properties.</param>
/// <param name="CsvPath">Append a summary row to this CSV file; null for none.</param>
/// <param name="BrokerPid">Report this broker process's CPU, memory and disk writes; null for none.</param>
/// <param name="MetricsUrl">Report the broker's GC work from this Prometheus endpoint; null for none.</param>
/// <param name="Wire">Read with Runnel's own fetch loop instead of a Confluent.Kafka consumer.</param>
internal sealed record ConsumerPerfSettings(
    string Topic,
    long Messages,
    TimeSpan Timeout,
    bool ShowDetailedStats,
    TimeSpan ReportingInterval,
    bool HideHeader,
    string DateFormat,
    string? Group,
    bool FromLatest,
    Dictionary<string, string> Config,
    string? CsvPath,
    int? BrokerPid,
    string? MetricsUrl = null,
    bool Wire = false);
