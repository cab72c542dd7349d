using System.CommandLine;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel perf consume</c>, with kafka-consumer-perf-test's flags (<c>--topic --messages --timeout
/// --show-detailed-stats --reporting-interval --consumer.config --hide-header --date-format --group
/// --from-latest</c>) and output; see <see cref="ConsumerPerformance"/>.
/// </summary>
internal sealed class PerfConsumeCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new(["--consumer.config"], []);

    public PerfConsumeCommand()
        : base("consume", "Consume records as fast as possible and report throughput (like kafka-consumer-perf-test).")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(Messages);
        Options.Add(Timeout);
        Options.Add(ShowDetailedStats);
        Options.Add(ReportingInterval);
        Options.Add(HideHeader);
        Options.Add(DateFormat);
        Options.Add(Group);
        Options.Add(FromLatest);
        Options.Add(Csv);
        Options.Add(BrokerPid);
        Options.Add(MetricsUrl);
        Options.Add(Wire);
        Validators.Add(r =>
        {
            if (r.GetValue(Wire) && r.GetValue(Group) is not null)
            {
                r.AddError("--wire reads every partition without a group; --group needs a Kafka consumer.");
            }
        });
        Messages.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1)
            {
                r.AddError("--messages must be at least 1.");
            }
        });
    }

    public Option<string> Topic { get; } = new("--topic") { Description = "The topic to consume.", Required = true };

    public Option<long> Messages { get; } = new("--messages") { Description = "Number of records to consume.", Required = true };

    public Option<long> Timeout { get; } = PerfCommand.CreateMillisecondsOption("--timeout", 10_000, "Give up when no record arrives for this many milliseconds.");

    public Option<bool> ShowDetailedStats { get; } = new("--show-detailed-stats") { Description = "Print a row per reporting interval instead of one summary." };

    public Option<long> ReportingInterval { get; } = PerfCommand.CreateMillisecondsOption("--reporting-interval", 5000, "Milliseconds between detailed rows.");

    public Option<bool> HideHeader { get; } = new("--hide-header") { Description = "Do not print the column header." };

    public Option<string> DateFormat { get; } = new("--date-format")
    {
        Description = "Java SimpleDateFormat pattern for the time columns.",
        DefaultValueFactory = _ => JavaDateFormat.KafkaDefault,
    };

    public Option<string> Group { get; } = new("--group") { Description = "Subscribe as this consumer group (default: assign all partitions, no group needed)." };

    public Option<bool> FromLatest { get; } = new("--from-latest") { Description = "Start at the end of each partition instead of the beginning." };

    public Option<string> Csv { get; } = PerfCommand.CreateCsvOption();

    public Option<int?> BrokerPid { get; } = PerfCommand.CreateBrokerPidOption();

    public Option<string> MetricsUrl { get; } = PerfCommand.CreateMetricsUrlOption();

    public Option<bool> Wire { get; } = new("--wire")
    {
        Description = "Read with Runnel's own Kafka protocol client instead of a librdkafka consumer: one Fetch at a time per leader broker for " +
            "every partition of the topic (no group), each record counted with its key and value lengths and nothing else, to show what the " +
            "broker serves rather than what a client library can deliver. Honours bootstrap.servers, client.id, fetch.wait.max.ms (500), " +
            "fetch.min.bytes (1), fetch.max.bytes (52428800), max.partition.fetch.bytes (1048576), check.crcs (false), isolation.level " +
            "(read_committed) and socket.timeout.ms (60000), librdkafka's names and defaults; refuses any other property, and --group.",
    };

    internal ConsumerPerfSettings Bind(ParseResult parseResult) => new(
        parseResult.GetRequiredValue(Topic),
        parseResult.GetValue(Messages),
        TimeSpan.FromMilliseconds(parseResult.GetValue(Timeout)),
        parseResult.GetValue(ShowDetailedStats),
        TimeSpan.FromMilliseconds(parseResult.GetValue(ReportingInterval)),
        parseResult.GetValue(HideHeader),
        JavaDateFormat.ToDotNet(parseResult.GetValue(DateFormat) ?? JavaDateFormat.KafkaDefault),
        parseResult.GetValue(Group),
        parseResult.GetValue(FromLatest),
        _client.BuildConfig(parseResult),
        parseResult.GetValue(Csv),
        parseResult.GetValue(BrokerPid),
        parseResult.GetValue(MetricsUrl),
        parseResult.GetValue(Wire));

    protected override Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ConsumerPerformance run = new(Bind(parseResult), output, error);
        return run.RunAsync(cancellationToken);
    }
}
