using System.CommandLine;
using System.CommandLine.Parsing;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel perf e2e</c>: end-to-end latency, Kafka's kafka-e2e-latency (<c>EndToEndLatency</c>:
/// bootstrap servers, topic, number of records, producer acks, record size, properties) with named
/// flags, plus Runnel's fixed-rate mode; see <see cref="EndToEndLatency"/>.
/// </summary>
internal sealed class PerfEndToEndCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public PerfEndToEndCommand()
        : base(
            "e2e",
            "Measure end-to-end latency from producer to consumer (like kafka-e2e-latency). By default one record at a time: "
            + "send, wait for the acknowledgement, poll until it arrives, repeat; prints Kafka's 'Avg latency' and 'Percentiles' lines "
            + "and Runnel's microsecond percentiles. With --throughput R, records go at a fixed rate and latency is measured from each "
            + "record's scheduled send time. Latency defaults, overridable with --producer-props/--consumer-props: producer linger.ms=0; "
            + "consumer fetch.wait.max.ms=0, auto.offset.reset=latest, a fresh group.id, enable.auto.commit=false (always); both "
            + "socket.nagle.disable=true. A missing topic is created with 1 partition. With --throughput, --wire-producers sends through "
            + "light protocol clients driven by one thread instead of librdkafka producers, for many connections at high rates, and "
            + "--wire-consumer reads through Runnel's own fetch loop instead of a librdkafka consumer.")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(NumRecords);
        Options.Add(RecordSize);
        Options.Add(ProducerAcks);
        Options.Add(Throughput);
        Options.Add(Producers);
        Options.Add(WireProducers);
        Options.Add(WireConsumer);
        Options.Add(WarmupRecords);
        Options.Add(ProducerProps);
        Options.Add(ConsumerProps);
        Options.Add(ReportingInterval);
        Options.Add(Csv);
        Options.Add(BrokerPid);
        Options.Add(MetricsUrl);
        ProducerProps.Validators.Add(KeyValueArguments.Validate);
        ConsumerProps.Validators.Add(KeyValueArguments.Validate);
        NumRecords.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() is < 1 or > int.MaxValue)
            {
                r.AddError("--num-records must be between 1 and 2147483647.");
            }
        });
        Producers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                r.AddError("--producers must be between 1 and 1000.");
            }
        });
        RecordSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--record-size must not be negative.");
            }
        });
        ProducerAcks.Validators.Add(r =>
        {
            // Kafka's tool accepts 1 and all; -1 is the same as all.
            if (r.GetValueOrDefault<string>() is not ("1" or "-1" or "all"))
            {
                r.AddError("Latency testing requires synchronous acknowledgement. Please use 1 or all");
            }
        });
        Validators.Add(r =>
        {
            // Defaults are not applied to a command validator's view of options not given.
            double throughput = PerfCommand.ValueOr(r, Throughput, -1);
            int recordSize = PerfCommand.ValueOr(r, RecordSize, 100);
            if (throughput > 0 && recordSize < EndToEndLatency.TimestampBytes)
            {
                r.AddError($"--record-size must be at least {EndToEndLatency.TimestampBytes} with --throughput: each value carries its scheduled send time.");
            }

            int producers = PerfCommand.ValueOr(r, Producers, 1);
            if (producers > 1 && throughput <= 0)
            {
                r.AddError("--producers above 1 needs --throughput: Kafka's one-at-a-time mode has one record in flight.");
            }

            if (PerfCommand.ValueOr(r, WireProducers, false))
            {
                ValidateWireProducers(r, throughput);
            }

            long warmup = PerfCommand.ValueOr(r, WarmupRecords, 0L);
            if (warmup != 0 && throughput <= 0)
            {
                r.AddError("--warmup-records needs --throughput: Kafka's one-at-a-time mode measures every record.");
            }

            if (warmup < 0 || (warmup > 0 && warmup >= PerfCommand.ValueOr(r, NumRecords, 0L)))
            {
                r.AddError("--warmup-records must be at least 0 and less than --num-records.");
            }

            if (PerfCommand.ValueOr(r, WireConsumer, false) && throughput <= 0)
            {
                r.AddError("--wire-consumer needs --throughput: Kafka's one-at-a-time mode checks each record with a librdkafka consumer.");
            }
        });
    }

    public Option<string> Topic { get; } = new("--topic") { Description = "The topic records go through (created with 1 partition if missing).", Required = true };

    public Option<long> NumRecords { get; } = new("--num-records") { Description = "Number of records to measure.", Required = true };

    public Option<int> RecordSize { get; } = new("--record-size")
    {
        Description = "Record value size in bytes (default 100; at least 8 with --throughput).",
        DefaultValueFactory = _ => 100,
    };

    public Option<string> ProducerAcks { get; } = new("--producer-acks")
    {
        Description = "The producer's acks: 1, or all (-1). Required, as in Kafka's tool.",
        Required = true,
    };

    public Option<double> Throughput { get; } = new("--throughput")
    {
        Description = "Records/sec at a fixed rate, latency measured from each record's scheduled send time; -1 (default) for Kafka's one-at-a-time mode.",
        DefaultValueFactory = _ => -1,
    };

    public Option<int> Producers { get; } = new("--producers")
    {
        Description = "Producer clients, each with its own connection, that the records go through in turn at the fixed rate (default 1).",
        DefaultValueFactory = _ => 1,
    };

    public Option<bool> WireProducers { get; } = new("--wire-producers")
    {
        Description = "With --throughput: the --producers N clients are Runnel's own Kafka protocol clients, all driven by one event-loop "
            + "thread (one connection per producer and leader broker), instead of librdkafka producers. Each takes records k, k+N, ... "
            + "and acts as a Kafka producer without idempotence or retries: it sends one partition's batch per Produce request when its "
            + "oldest unsent record has waited linger.ms (default 0) or its unsent records fill batch.size (default 16384), rotating "
            + "partitions batch by batch; at most max.in.flight.requests.per.connection (default 5) requests unanswered per connection, "
            + "further records wait (their latency still counts from the schedule); request.timeout.ms (default 30000) is the Produce "
            + "timeout and bounds the final wait for responses. Producer properties (-X and --producer-props) other than these, "
            + "bootstrap.servers, client.id, acks (--producer-acks wins) and socket.nagle.disable=true are refused.",
    };

    public Option<bool> WireConsumer { get; } = new("--wire-consumer")
    {
        Description = "With --throughput: read with Runnel's own Kafka protocol fetch loop instead of a librdkafka consumer: one Fetch at a "
            + "time per leader broker for every partition from its end (no group), each record's send time read as the response is "
            + "walked. Consumer properties (-X and --consumer-props) other than bootstrap.servers, client.id, fetch.wait.max.ms "
            + "(default 0, as for the librdkafka consumer), fetch.min.bytes, fetch.max.bytes, max.partition.fetch.bytes, check.crcs, "
            + "isolation.level, socket.timeout.ms and socket.nagle.disable=true are refused when the run starts.",
    };

    public Option<long> WarmupRecords { get; } = new("--warmup-records")
    {
        Description = "With --throughput: the first N of the --num-records records are sent and received on the same schedule but left out "
            + "of the summary (latencies, rate, CSV and the broker's figures, which start when the first measured record is due), as "
            + "kafka-producer-perf-test's --warmup-records (KIP-1052) leaves out start-up. Default 0.",
    };

    public Option<string[]> ProducerProps { get; } = new("--producer-props")
    {
        Description = "A librdkafka producer property key=value; repeatable. Over -X and --command-config.",
        HelpName = "key=value",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> ConsumerProps { get; } = new("--consumer-props")
    {
        Description = "A librdkafka consumer property key=value; repeatable. Over -X and --command-config.",
        HelpName = "key=value",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<long> ReportingInterval { get; } = PerfCommand.CreateMillisecondsOption(
        "--reporting-interval", 5000, "Milliseconds between progress lines when output is redirected (a terminal gets one line updated in place).");

    public Option<string> Csv { get; } = PerfCommand.CreateCsvOption();

    public Option<int?> BrokerPid { get; } = PerfCommand.CreateBrokerPidOption();

    public Option<string> MetricsUrl { get; } = PerfCommand.CreateMetricsUrlOption();

    internal EndToEndLatencySettings Bind(ParseResult parseResult)
    {
        string acks = parseResult.GetRequiredValue(ProducerAcks);
        return new EndToEndLatencySettings(
            parseResult.GetRequiredValue(Topic),
            parseResult.GetValue(NumRecords),
            parseResult.GetValue(RecordSize),
            acks == "-1" ? "all" : acks,
            parseResult.GetValue(Throughput),
            BuildConfig(parseResult, ProducerProps),
            BuildConfig(parseResult, ConsumerProps),
            TimeSpan.FromMilliseconds(parseResult.GetValue(ReportingInterval)),
            parseResult.GetValue(Csv),
            parseResult.GetValue(BrokerPid),
            parseResult.GetValue(MetricsUrl),
            parseResult.GetValue(Producers),
            parseResult.GetValue(WireProducers),
            parseResult.GetValue(WireConsumer),
            parseResult.GetValue(WarmupRecords));
    }

    /// <summary>
    /// --wire-producers needs the fixed rate, and refuses the producer properties given on the command
    /// line that it does not honour (a --command-config file is checked when the run starts).
    /// </summary>
    private void ValidateWireProducers(CommandResult result, double throughput)
    {
        if (throughput <= 0)
        {
            result.AddError("--wire-producers needs --throughput: wire producers send on a fixed-rate schedule.");
        }

        // As the run merges them: -X first, then --producer-props over it.
        Dictionary<string, string> properties = new(StringComparer.Ordinal);
        Option<string[]>[] sources = [_client.Properties, ProducerProps];
        foreach (Option<string[]> option in sources)
        {
            foreach (Token token in result.GetResult(option)?.Tokens ?? [])
            {
                if (KeyValueArguments.TryParse(token.Value, out string key, out string value))
                {
                    properties[key] = value;
                }
            }
        }

        foreach (string error in WireProducerOptions.Validate(properties))
        {
            result.AddError(error);
        }
    }

    /// <summary>
    /// One client's properties, lowest first: the shared ones (default bootstrap server,
    /// --command-config, -X), that client's own (<paramref name="properties"/>), an explicit --bootstrap-server.
    /// </summary>
    private Dictionary<string, string> BuildConfig(ParseResult parseResult, Option<string[]> properties)
    {
        Dictionary<string, string> config = _client.BuildConfig(parseResult);
        KeyValueArguments.ParseInto(parseResult.GetValue(properties), config);
        if (parseResult.GetValue(_client.BootstrapServer) is { } bootstrap)
        {
            config["bootstrap.servers"] = bootstrap;
        }

        return config;
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        EndToEndLatency run = new(Bind(parseResult), output, error);
        return run.RunAsync(cancellationToken);
    }
}
