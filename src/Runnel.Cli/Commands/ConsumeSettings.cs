using Confluent.Kafka;
using Runnel.Cli.Records;

namespace Runnel.Cli.Commands;

/// <summary>What <c>runnel consume</c> was asked to do, after parsing and validation.</summary>
/// <param name="Topic">The topic to read.</param>
/// <param name="Partition">Only this partition; null for all of them.</param>
/// <param name="StartOffset">Where assigned partitions start (Beginning, End or an offset); unused with a group.</param>
/// <param name="MaxMessages">Stop after this many records; null for no limit.</param>
/// <param name="IdleTimeout">Stop when no record arrives for this long; null to wait for ever.</param>
/// <param name="Group">Subscribe as a member of this consumer group; null to assign partitions directly.</param>
/// <param name="Config">librdkafka properties.</param>
/// <param name="FormatterOptions">What to print per record.</param>
internal sealed record ConsumeSettings(
    string Topic,
    int? Partition,
    Offset StartOffset,
    long? MaxMessages,
    TimeSpan? IdleTimeout,
    string? Group,
    Dictionary<string, string> Config,
    RecordFormatterOptions FormatterOptions);
