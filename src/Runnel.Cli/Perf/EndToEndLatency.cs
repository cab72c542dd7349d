using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Perf;

/// <summary>
/// One <c>runnel perf e2e</c> run: the time a record takes from the producer to a consumer in the
/// same process, assigned to every partition of the topic at its end.
/// <list type="bullet">
/// <item>Default mode is Kafka's <c>EndToEndLatency</c> (kafka-e2e-latency): one record at a time,
/// sent, acknowledged, then polled for; the round trip is measured, then the next record goes. Each
/// value is one random upper-case letter repeated (seeded as Kafka seeds it) and is checked on
/// arrival. Kafka's two result lines (<c>Avg latency</c>, <c>Percentiles</c> in whole milliseconds
/// from the sorted samples) are followed by Runnel's line of microsecond-resolution percentiles.
/// No warm-up: as in Kafka's tool, the first record's time includes the producer's first metadata
/// request and the first fetch.</item>
/// <item>Fixed-rate mode (<c>--throughput R</c>) is Runnel's: record i is scheduled at
/// <c>t0 + i / R</c>, its value starts with that scheduled Stopwatch timestamp (8 bytes, little
/// endian; the rest is padding), and the consumer measures receive time minus scheduled time, so a
/// producer that falls behind cannot hide the wait (no coordinated omission). A sender thread hands
/// records to the client with <c>Produce</c> and a delivery handler made once; it never waits for
/// acknowledgements, only for the schedule (and, as Kafka's producer blocks when its buffer is
/// full, for queue space). The consumer runs on the calling thread. With <c>--wire-producers</c>
/// the records go through <see cref="WireProducers"/> instead: N light producers speaking the
/// protocol themselves from one event-loop thread, so the client does not saturate before the broker.</item>
/// </list>
/// Both clients are set for latency where Kafka's tool sets them, unless the properties say
/// otherwise: producer <c>linger.ms=0</c>; consumer <c>fetch.wait.max.ms=0</c>,
/// <c>auto.offset.reset=latest</c>, <c>enable.auto.commit=false</c> (always) and a fresh
/// <c>group.id</c> (nothing is committed under it); both <c>socket.nagle.disable=true</c> (the Java
/// clients always set TCP_NODELAY). The consumer starts at each partition's high watermark, read
/// before the first send, so only this run's records are measured: keep other producers off the topic.
/// </summary>
internal sealed partial class EndToEndLatency
{
    /// <summary>How long to wait for an acknowledgement or a record before giving up, as Kafka's tool does.</summary>
    internal static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(60_000);

    private const int DefaultPartitions = 1;
    private const short DefaultReplicationFactor = 1;

    private static readonly double s_microsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly EndToEndLatencySettings _settings;
    private readonly TextWriter _output;
    private readonly TextWriter _error;

    public EndToEndLatency(EndToEndLatencySettings settings, TextWriter output, TextWriter error)
    {
        _settings = settings;
        _output = output;
        _error = error;
    }

    /// <summary>The producer's properties: the user's over Kafka's latency defaults, with the chosen acks.</summary>
    internal static Dictionary<string, string> BuildProducerConfig(EndToEndLatencySettings settings)
    {
        Dictionary<string, string> config = new(settings.ProducerConfig, StringComparer.Ordinal);
        config.TryAdd("linger.ms", "0");
        config.TryAdd("socket.nagle.disable", "true");
        config.TryAdd(ConfigPropertyNames.Producer.DeliveryReportFields, "none");
        config["acks"] = settings.Acks;
        return config;
    }

    /// <summary>The consumer's properties: the user's over Kafka's latency defaults; auto commit is always off.</summary>
    internal static Dictionary<string, string> BuildConsumerConfig(EndToEndLatencySettings settings)
    {
        Dictionary<string, string> config = new(settings.ConsumerConfig, StringComparer.Ordinal);
        config.TryAdd("group.id", "test-group-" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        config["enable.auto.commit"] = "false";
        config.TryAdd("auto.offset.reset", "latest");
        config.TryAdd("fetch.wait.max.ms", "0");
        config.TryAdd("socket.nagle.disable", "true");
        config.TryAdd("enable.partition.eof", "false");
        config.TryAdd(ConfigPropertyNames.Consumer.ConsumeResultFields, "none");
        return config;
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        // Wire clients replace the Confluent.Kafka ones; their properties are checked before any connection.
        WireProducerOptions? wireOptions = _settings.WireProducers ? WireProducerOptions.From(_settings.ProducerConfig, _settings.Acks) : null;
        WireConsumerOptions? wireConsumerOptions = _settings.WireConsumer
            ? WireConsumerOptions.From(BuildWireConsumerConfig(_settings), "--wire-consumer", WireProducerOptions.DefaultClientId)
            : null;
        IProducer<Null, byte[]>[] producers = new IProducer<Null, byte[]>[wireOptions is null ? _settings.Producers : 0];
        try
        {
            for (int k = 0; k < producers.Length; k++)
            {
                producers[k] = KafkaClients.CreateProducer<Null, byte[]>(BuildProducerConfig(_settings), _error);
            }

            return await RunAsync(producers, wireOptions, wireConsumerOptions, cancellationToken);
        }
        finally
        {
            foreach (IProducer<Null, byte[]>? producer in producers)
            {
                producer?.Dispose();
            }
        }
    }

    private async Task<int> RunAsync(
        IProducer<Null, byte[]>[] producers, WireProducerOptions? wireOptions, WireConsumerOptions? wireConsumerOptions, CancellationToken cancellationToken)
    {
        using IConsumer<Ignore, byte[]>? consumer = wireConsumerOptions is null
            ? KafkaClients.CreateConsumer<Ignore, byte[]>(BuildConsumerConfig(_settings), _error)
            : null;
        using (IAdminClient admin = consumer is null ? CreateWireAdmin(wireConsumerOptions!) : new DependentAdminClientBuilder(consumer.Handle).Build())
        {
            await EnsureTopicAsync(admin, cancellationToken);
        }

        LatencyHistogram latencies = new();
        EndToEndArrivals arrivals = new(latencies, _settings.Topic);
        using WireConsumeSource? wireConsumer = wireConsumerOptions is null
            ? null
            : await WireConsumeSource.OpenAsync(wireConsumerOptions, _settings.Topic, fromLatest: true, arrivals, cancellationToken);
        if (consumer is not null)
        {
            AssignAtEnd(consumer);
        }

        // Connected before the schedule starts, so setup is not counted in the first records' latency.
        await using WireProducers? wire = wireOptions is null
            ? null
            : await WireProducers.ConnectAsync(wireOptions, _settings.Topic, _settings.Producers, _settings.RecordSize, this, cancellationToken);

        // The rest of the run blocks its thread (the consumer loop). The await above may have resumed
        // on a socket engine thread (with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 completions run
        // there), and blocking that thread stalls every socket it serves: move to the thread pool first.
        await Task.Yield();
        long start = Stopwatch.GetTimestamp();
        long measuredFrom = _settings.FixedRate
            ? FixedRateSchedule.At(start, _settings.Throughput, _settings.NumRecords).ScheduledAt(_settings.WarmupRecords)
            : start;
        arrivals.MeasuredFrom = measuredFrom;

        // Started now even with a warm-up, so a wrong --broker-pid or --metrics-url fails before the run.
        BrokerProcessMonitor? startMonitor = BrokerProcessMonitor.Start(_settings.BrokerPid, _settings.MetricsUrl, cancellationToken);
        Task<BrokerProcessMonitor?> monitorStart = startMonitor is null || measuredFrom == start
            ? Task.FromResult(startMonitor)
            : StartMonitorAtAsync(measuredFrom, cancellationToken);
        PerfProgress progress = new(_output, PerfProgress.IsTerminal(_output), _settings.ReportingInterval, start);
        long failures;
        long end;
        long[]? kafkaSamplesMs = null;
        if (_settings.FixedRate)
        {
            Func<CancellationToken, ValueTask> pollOnce = wireConsumer is null ? PollOnce(consumer!, arrivals) : PollOnce(wireConsumer);
            Func<ValueTask<long>> consume = () => ConsumeAsync(pollOnce, arrivals, progress, start, cancellationToken);
            (failures, end) = await RunFixedRateAsync(producers, wire, consume, start, cancellationToken);
        }
        else
        {
            kafkaSamplesMs = new long[_settings.NumRecords];
            end = RunOneAtATime(producers[0], consumer!, latencies, kafkaSamplesMs, progress, cancellationToken);
            failures = 0;
        }

        consumer?.Close();
        progress.Clear();
        // The rate covers the measured records: from the first one's schedule to the last arrival.
        EndToEndLatencySummary summary = EndToEndLatencySummary.From(
            latencies, latencies.Count * (long)_settings.RecordSize, ProducerPerfStats.ElapsedMs(measuredFrom, end));
        if (kafkaSamplesMs is not null)
        {
            Array.Sort(kafkaSamplesMs);
            _output.WriteLine(EndToEndLatencySummary.FormatKafkaAverage(summary.AvgMs));
            _output.WriteLine(EndToEndLatencySummary.FormatKafkaPercentiles(
                EndToEndLatencySummary.KafkaPercentile(kafkaSamplesMs, 0.5),
                EndToEndLatencySummary.KafkaPercentile(kafkaSamplesMs, 0.99),
                EndToEndLatencySummary.KafkaPercentile(kafkaSamplesMs, 0.999)));
            _output.WriteLine(summary.FormatLatencies());
        }
        else
        {
            _output.WriteLine(summary.FormatFixedRate());
            if (_settings.Producers > 1)
            {
                _output.WriteLine(FormatAcknowledgedPerProducer());
            }
        }

        BrokerProcessMonitor? monitor = await monitorStart;
        BrokerUsage? usage = monitor?.Stop(summary.Bytes, summary.Count, cancellationToken);
        usage?.WriteTo(_output);
        if (_settings.CsvPath is { } csv)
        {
            AppendCsv(csv, summary, failures, usage);
        }

        if (failures > 0)
        {
            _error.WriteLine($"{failures} records failed.");
            return 1;
        }

        return 0;
    }

    /// <summary>
    /// Kafka's mode: send one record, wait for its acknowledgement, poll until it arrives, repeat.
    /// Returns when the last record arrived.
    /// </summary>
    private long RunOneAtATime(
        IProducer<Null, byte[]> producer, IConsumer<Ignore, byte[]> consumer, LatencyHistogram latencies, long[] samplesMs, PerfProgress progress, CancellationToken cancellationToken)
    {
        string topic = _settings.Topic;
        byte[] value = new byte[_settings.RecordSize];
        Message<Null, byte[]> message = new() { Value = value };
        Random random = new(0);
        using ManualResetEventSlim delivered = new();
        Error? deliveryError = null;
        Action<DeliveryReport<Null, byte[]>> onDelivery = report =>
        {
            deliveryError = report.Error;
            delivered.Set();
        };

        long window = 0;
        long end = Stopwatch.GetTimestamp();
        for (long i = 0; i < _settings.NumRecords; i++)
        {
            Array.Fill(value, (byte)('A' + random.Next(26)));
            delivered.Reset();
            long begin = Stopwatch.GetTimestamp();
            producer.Produce(topic, message, onDelivery);
            if (!delivered.Wait(PollTimeout, cancellationToken))
            {
                throw new ToolException($"Error: no acknowledgement for record {i} within {PollTimeout.TotalMilliseconds} ms.");
            }

            if (deliveryError is { IsError: true } sendError)
            {
                throw new ToolException($"Error sending a record to {topic}: {sendError.Code}: {sendError.Reason}");
            }

            ConsumeResult<Ignore, byte[]>? result = consumer.Consume(PollTimeout);
            end = Stopwatch.GetTimestamp();
            if (result is null)
            {
                throw new ToolException($"poll() timed out before finding a result (timeout:[{PollTimeout.TotalMilliseconds}])");
            }

            if (!value.AsSpan().SequenceEqual(result.Message.Value))
            {
                throw new ToolException($"The message read [{Describe(result.Message.Value)}] did not match the message sent [{Describe(value)}]");
            }

            long micros = (long)((end - begin) * s_microsPerTick);
            latencies.Record(micros);
            samplesMs[i] = micros / 1000;
            window++;
            if (progress.IsDue(end))
            {
                ReportProgress(progress, latencies, window, end);
                window = 0;
            }
        }

        return end;
    }

    private void ReportProgress(PerfProgress progress, LatencyHistogram latencies, long windowRecords, long now) =>
        progress.Report(
            PerfProgress.Format(
                latencies.Count,
                windowRecords,
                windowRecords * _settings.RecordSize,
                (now - progress.LastTimestamp) * 1000.0 / Stopwatch.Frequency,
                string.Create(CultureInfo.InvariantCulture, $", p99 {latencies.ValueAtQuantile(0.99) / 1000.0:F3} ms")),
            now);

    /// <summary>
    /// Kafka's tool creates a missing topic with one partition and replication factor 1, and says so.
    /// The metadata request goes through the consumer's handle, or with the wire consumer a plain admin
    /// client, with <c>allow.auto.create.topics</c> off either way (a producer's default would let the
    /// broker create the topic with its own defaults).
    /// </summary>
    private async Task EnsureTopicAsync(IAdminClient admin, CancellationToken cancellationToken)
    {
        Metadata metadata = admin.GetMetadata(_settings.Topic, TimeSpan.FromSeconds(30));
        TopicMetadata? topic = metadata.Topics.Find(t => t.Topic == _settings.Topic);
        if (topic is not null && topic.Error.Code == ErrorCode.NoError && topic.Partitions.Count > 0)
        {
            return;
        }

        _output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Topic \"{_settings.Topic}\" does not exist. Will create topic with {DefaultPartitions} partition(s) and replication factor = {DefaultReplicationFactor}"));
        try
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = _settings.Topic, NumPartitions = DefaultPartitions, ReplicationFactor = DefaultReplicationFactor }])
                .WaitAsync(cancellationToken);
        }
        catch (CreateTopicsException e) when (e.Results is [{ Error.Code: ErrorCode.TopicAlreadyExists }])
        {
            // Created meanwhile (or auto-created by the metadata request): fine.
        }
        catch (CreateTopicsException e)
        {
            _output.WriteLine($"Creation of topic {_settings.Topic} failed");
            throw new ToolException($"Error: {e.Results[0].Error.Code}: {e.Results[0].Error.Reason}", e);
        }
    }

    /// <summary>
    /// Starts measuring the broker again when the first measured record is due, so with a warm-up the
    /// broker's figures cover the same window as the latencies.
    /// </summary>
    private async Task<BrokerProcessMonitor?> StartMonitorAtAsync(long timestamp, CancellationToken cancellationToken)
    {
        TimeSpan wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }

        return BrokerProcessMonitor.Start(_settings.BrokerPid, _settings.MetricsUrl, cancellationToken);
    }

    /// <summary>The wire consumer has no librdkafka handle to borrow for the topic check: a plain admin client on the same brokers.</summary>
    private IAdminClient CreateWireAdmin(WireConsumerOptions options) =>
        KafkaClients.CreateAdmin(
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["bootstrap.servers"] = string.Join(",", options.BootstrapServers),
                ["client.id"] = options.ClientId,
                ["allow.auto.create.topics"] = "false",
            },
            _error);

    /// <summary>
    /// Assigns every partition at its high watermark, read now: Kafka's tool seeks to the end and
    /// resolves the positions before the first send, and an explicit offset does the same without
    /// racing librdkafka's asynchronous lookup of <see cref="Offset.End"/>.
    /// </summary>
    private void AssignAtEnd(IConsumer<Ignore, byte[]> consumer)
    {
        List<TopicPartitionOffset> assignment = [];
        foreach (int partition in KafkaClients.GetPartitions(consumer, _settings.Topic, TimeSpan.FromSeconds(30)))
        {
            TopicPartition tp = new(_settings.Topic, partition);
            assignment.Add(new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(30)).High));
        }

        consumer.Assign(assignment);
    }

    private static string Describe(byte[]? value) =>
        value is null ? "null" : value.Length <= 64 ? System.Text.Encoding.UTF8.GetString(value) : System.Text.Encoding.UTF8.GetString(value, 0, 64) + "...";

    private void AppendCsv(string path, EndToEndLatencySummary summary, long failures, BrokerUsage? usage) =>
        PerfCsv.Append(
            path,
            [
                "time", "tool", "topic", "mode", "num_records", "record_size", "target_throughput", "acks", "producers",
                "records", "records_per_sec", "mb_per_sec", "avg_latency_ms",
                "p50_ms", "p95_ms", "p99_ms", "p999_ms", "max_latency_ms", "errors",
                .. BrokerUsage.CsvHeader,
            ],
            [
                DateTimeOffset.Now, "e2e", _settings.Topic, _settings.FixedRate ? "fixed-rate" : "one-at-a-time", _settings.NumRecords,
                _settings.RecordSize, _settings.Throughput, _settings.Acks, _settings.Producers,
                summary.Count, summary.RecordsPerSec, summary.MbPerSec, summary.AvgMs,
                summary.P50Ms, summary.P95Ms, summary.P99Ms, summary.P999Ms, summary.MaxMs, failures,
                .. BrokerUsage.CsvCells(usage),
            ]);
}
