using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Runnel.Broker;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel perf produce</c>, with kafka-producer-perf-test's flags (<c>--topic --num-records
/// --record-size --payload-file --payload-delimiter --throughput --producer-props --producer.config
/// --print-metrics --transactional-id --transaction-duration-ms</c>) and output; see <see cref="ProducerPerformance"/>.
/// </summary>
internal sealed class PerfProduceCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new(["--producer.config"], ["--producer-props"]);

    public PerfProduceCommand()
        : base("produce", "Produce records as fast as allowed and report throughput and latency (like kafka-producer-perf-test).")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(NumRecords);
        Options.Add(RecordSize);
        Options.Add(PayloadFile);
        Options.Add(PayloadDelimiter);
        Options.Add(Throughput);
        Options.Add(PrintMetrics);
        Options.Add(ReportingInterval);
        Options.Add(Csv);
        Options.Add(BrokerPid);
        Options.Add(MetricsUrl);
        Options.Add(KeyCount);
        Options.Add(TransactionalId);
        Options.Add(TransactionDurationMs);
        Options.Add(EmbeddedBroker);
        Options.Add(EmbeddedBrokerConfig);
        Options.Add(WireProducers);
        Options.Add(Producers);
        EmbeddedBrokerConfig.Validators.Add(KeyValueArguments.Validate);
        TransactionDurationMs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is <= 0)
            {
                r.AddError("--transaction-duration-ms must be positive.");
            }
        });
        NumRecords.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1)
            {
                r.AddError("--num-records must be at least 1.");
            }
        });
        RecordSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0)
            {
                r.AddError("--record-size must not be negative.");
            }
        });
        Validators.Add(r =>
        {
            if ((r.GetResult(RecordSize) is null) == (r.GetResult(PayloadFile) is null))
            {
                r.AddError("Give exactly one of --record-size or --payload-file.");
            }

            ValidateWireProducers(r);
        });
    }

    public Option<string> Topic { get; } = new("--topic") { Description = "The topic to produce to.", Required = true };

    public Option<long> NumRecords { get; } = new("--num-records") { Description = "Number of records to produce.", Required = true };

    public Option<int?> RecordSize { get; } = new("--record-size") { Description = "Record size in bytes (random A-Z payload, reused)." };

    public Option<string> PayloadFile { get; } = new("--payload-file")
    {
        Description = "A UTF-8 file of payloads separated by --payload-delimiter; each record picks one at random.",
        HelpName = "file",
    };

    public Option<string> PayloadDelimiter { get; } = new("--payload-delimiter")
    {
        Description = "What separates payloads in --payload-file (\\n, \\t escapes allowed; default newline).",
        DefaultValueFactory = _ => "\\n",
    };

    public Option<double> Throughput { get; } = new("--throughput")
    {
        Description = "Target records/sec; -1 for no limit. A set rate measures latency from each record's scheduled send time.",
        DefaultValueFactory = _ => -1,
    };

    public Option<bool> PrintMetrics { get; } = new("--print-metrics") { Description = "Print the client's librdkafka statistics at the end." };

    public Option<long> ReportingInterval { get; } = PerfCommand.CreateMillisecondsOption("--reporting-interval", 5000, "Milliseconds between progress lines.");

    public Option<string> Csv { get; } = PerfCommand.CreateCsvOption();

    public Option<int?> BrokerPid { get; } = PerfCommand.CreateBrokerPidOption();

    public Option<string> MetricsUrl { get; } = PerfCommand.CreateMetricsUrlOption();

    public Option<int> KeyCount { get; } = new("--key-count")
    {
        Description = "Runnel extension: key the records with this many distinct keys in turn (10-digit decimal keys), e.g. to load a compacted topic. Default 0: no key, as Kafka's tool.",
        Validators = { result => { if (result.GetValueOrDefault<int>() is < 0 or > 100_000_000) { result.AddError("--key-count must be between 0 and 100000000."); } } },
    };

    public Option<string> TransactionalId { get; } = new("--transactional-id")
    {
        Description = "Send in transactions with this transactional.id (default performance-producer-default-transactional-id when only --transaction-duration-ms is given).",
    };

    public Option<long?> TransactionDurationMs { get; } = new("--transaction-duration-ms")
    {
        Description = "Commit each transaction once it is this many milliseconds old (default 3000 when only --transactional-id is given). Either option turns transactions on.",
    };

    public Option<bool> EmbeddedBroker { get; } = new("--embedded-broker")
    {
        Description = "Runnel extension: start a broker inside this process (127.0.0.1, a free port, a temp data dir deleted afterwards), "
            + "print how long it took to be ready, and produce to it instead of --bootstrap-server.",
    };

    public Option<string[]> EmbeddedBrokerConfig { get; } = new("--embedded-broker-config")
    {
        Description = "A broker property key=value for --embedded-broker (e.g. num.partitions=16 for auto-created topics); repeatable.",
        HelpName = "key=value",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> WireProducers { get; } = new("--wire-producers")
    {
        Description = "Runnel extension: send with --producers of Runnel's own Kafka protocol clients (the load generator of perf e2e --wire-producers) "
            + "instead of a librdkafka producer, to measure what the broker takes in rather than what a client library can hand it: each sends "
            + "one partition's batch per Produce request when batch.size is full or linger.ms has passed, at most "
            + "max.in.flight.requests.per.connection unanswered; latency runs from a request's send to its acknowledgement. Honours bootstrap.servers, "
            + "client.id, acks (1 or all), linger.ms (0), batch.size (16384), max.in.flight.requests.per.connection (5), request.timeout.ms and "
            + "socket.nagle.disable=true and refuses other properties; needs --record-size of at least 8 and an existing topic; not with "
            + "--payload-file, --key-count, transactions or --print-metrics.",
    };

    public Option<int> Producers { get; } = new("--producers")
    {
        Description = "With --wire-producers: how many producer clients, each with its own connection, records going to them in turn (default 1).",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>--wire-producers: what the wire producers cannot do is refused, not ignored.</summary>
    private void ValidateWireProducers(CommandResult r)
    {
        bool wire = PerfCommand.ValueOr(r, WireProducers, false);
        if (!wire)
        {
            if (r.GetResult(Producers) is not null)
            {
                r.AddError("--producers needs --wire-producers (a librdkafka run uses one producer, as Kafka's tool).");
            }

            return;
        }

        if (PerfCommand.ValueOr(r, Producers, 1) is < 1 or > 1000)
        {
            r.AddError("--producers must be between 1 and 1000.");
        }

        if (PerfCommand.ValueOr(r, RecordSize, null) is < 8)
        {
            r.AddError("--wire-producers need --record-size of at least 8 (each value starts with its 8-byte schedule time).");
        }

        if (r.GetResult(PayloadFile) is not null || PerfCommand.ValueOr(r, KeyCount, 0) != 0 || r.GetResult(TransactionalId) is not null
            || r.GetResult(TransactionDurationMs) is not null || PerfCommand.ValueOr(r, PrintMetrics, false))
        {
            r.AddError("--wire-producers send keyless records of --record-size without transactions or client statistics: "
                + "--payload-file, --key-count, --transactional-id, --transaction-duration-ms and --print-metrics need a librdkafka producer.");
        }
    }

    /// <summary>Kafka's tool: either option enables transactions, and the other takes its default.</summary>
    private (string? TransactionalId, long DurationMs) BindTransactions(ParseResult parseResult)
    {
        var id = parseResult.GetValue(TransactionalId);
        var duration = parseResult.GetValue(TransactionDurationMs);
        return id is null && duration is null
            ? (null, 0)
            : (id ?? "performance-producer-default-transactional-id", duration ?? 3000);
    }

    internal ProducerPerfSettings Bind(ParseResult parseResult) => new(
        parseResult.GetRequiredValue(Topic),
        parseResult.GetValue(NumRecords),
        parseResult.GetValue(RecordSize),
        parseResult.GetValue(PayloadFile),
        KeyValueArguments.Unescape(parseResult.GetValue(PayloadDelimiter) ?? "\\n"),
        parseResult.GetValue(Throughput),
        _client.BuildConfig(parseResult),
        parseResult.GetValue(PrintMetrics),
        TimeSpan.FromMilliseconds(parseResult.GetValue(ReportingInterval)),
        parseResult.GetValue(Csv),
        parseResult.GetValue(BrokerPid),
        parseResult.GetValue(KeyCount),
        BindTransactions(parseResult).TransactionalId,
        BindTransactions(parseResult).DurationMs,
        parseResult.GetValue(MetricsUrl),
        parseResult.GetValue(WireProducers) ? parseResult.GetValue(Producers) : 0);

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ProducerPerfSettings settings = Bind(parseResult);
        if (!parseResult.GetValue(EmbeddedBroker))
        {
            return await RunAsync(settings, output, error, cancellationToken);
        }

        Dictionary<string, string> brokerConfig = new(StringComparer.Ordinal);
        KeyValueArguments.ParseInto(parseResult.GetValue(EmbeddedBrokerConfig), brokerConfig);
        long start = Stopwatch.GetTimestamp();
        await using RunnelBroker broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = brokerConfig }, cancellationToken);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"Embedded broker ready at {broker.BootstrapServers} in {Stopwatch.GetElapsedTime(start).TotalMilliseconds:F1} ms."));
        settings.Config["bootstrap.servers"] = broker.BootstrapServers;
        return await RunAsync(settings, output, error, cancellationToken);
    }

    private static async Task<int> RunAsync(ProducerPerfSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ProducerPerformance run = new(settings, output, error);
        return settings.WireProducers > 0 ? await run.RunOverWireAsync(cancellationToken) : run.Run(cancellationToken);
    }
}
