using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf;

/// <summary>
/// <c>runnel perf consume</c>'s Confluent.Kafka consumer, one record per poll. Without a group every
/// partition is assigned from the beginning (or the end); with one it subscribes and
/// <see cref="JoinTicks"/> is the time until the first assignment.
/// </summary>
internal sealed class KafkaConsumeSource : IConsumeSource
{
    private readonly ConsumerPerfSettings _settings;
    private readonly IConsumer<int, int> _consumer;
    private long _joinStart;
    private long _joinTicks = -1;

    public KafkaConsumeSource(ConsumerPerfSettings settings, TextWriter error)
    {
        _settings = settings;
        Dictionary<string, string> config = new(settings.Config, StringComparer.Ordinal);
        config.TryAdd("auto.offset.reset", settings.FromLatest ? "latest" : "earliest");
        config.TryAdd("enable.partition.eof", "false");

        // Headers, timestamps and topic names are not needed: leave them unmarshalled.
        config.TryAdd(ConfigPropertyNames.Consumer.ConsumeResultFields, "none");
        if (settings.Group is null)
        {
            // librdkafka needs a group.id even to assign partitions; nothing is committed under it.
            config.TryAdd("group.id", "perf-consumer-" + Random.Shared.Next(100_000).ToString(CultureInfo.InvariantCulture));
            config["enable.auto.commit"] = "false";
        }
        else
        {
            config["group.id"] = settings.Group;
        }

        // Kafka's tool counts key and value bytes; only their lengths are needed, so the records are
        // "deserialized" to their lengths instead of copied into new arrays (a copy per record the
        // measurement does not need, which made the tool, not the broker, the bottleneck).
        _consumer = KafkaClients.CreateConsumer<int, int>(
            config,
            error,
            settings.Group is null ? null : (_, _) =>
            {
                if (_joinTicks < 0)
                {
                    _joinTicks = Stopwatch.GetTimestamp() - _joinStart;
                }
            },
            LengthDeserializer.Instance,
            LengthDeserializer.Instance);
    }

    public long JoinTicks => _joinTicks;

    public void Start(long startTimestamp)
    {
        _joinStart = startTimestamp;
        if (_settings.Group is not null)
        {
            _consumer.Subscribe(_settings.Topic);
            return;
        }

        Offset offset = _settings.FromLatest ? Offset.End : Offset.Beginning;
        _consumer.Assign(KafkaClients.GetPartitions(_consumer, _settings.Topic, TimeSpan.FromSeconds(30))
            .ConvertAll(p => new TopicPartitionOffset(_settings.Topic, p, offset)));
    }

    public ValueTask<ConsumedChunk> PollAsync(TimeSpan wait, long maxRecords, CancellationToken cancellationToken)
    {
        ConsumeResult<int, int>? result = _consumer.Consume(wait);
        return ValueTask.FromResult(result is null || result.IsPartitionEOF
            ? default
            : new ConsumedChunk(1, result.Message.Key + result.Message.Value));
    }

    public void Close()
    {
        if (_settings.Group is not null)
        {
            _consumer.Close();
        }
    }

    public void Dispose() => _consumer.Dispose();
}
