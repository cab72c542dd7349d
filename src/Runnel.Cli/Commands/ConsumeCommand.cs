using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Runnel.Cli.Kafka;
using Runnel.Cli.Records;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel consume</c>: a console consumer like kafka-console-consumer. Without <c>--group</c> it
/// assigns every partition of the topic (or the one given) directly, so it needs no group
/// coordinator; with <c>--group</c> it subscribes. Records print as <see cref="RecordFormatter"/>
/// says; "Processed a total of N messages" goes to stderr at the end, as Kafka's tool does.
/// </summary>
internal sealed class ConsumeCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new(["--consumer.config"], ["--consumer-property"]);

    public ConsumeCommand()
        : base("consume", "Consume records and print them to stdout (like kafka-console-consumer).")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(FromBeginning);
        Options.Add(Partition);
        Options.Add(Offset);
        Options.Add(MaxMessages);
        Options.Add(TimeoutMs);
        Options.Add(Property);
        Options.Add(Group);
        Options.Add(IsolationLevel);
        Property.Validators.Add(KeyValueArguments.Validate);
        IsolationLevel.AcceptOnlyFromAmong("read_uncommitted", "read_committed");
        Offset.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && !TryParseOffset(value, out _))
            {
                r.AddError($"--offset must be earliest, latest or a non-negative offset, not '{value}'.");
            }
        });
        Partition.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0)
            {
                r.AddError("--partition must not be negative.");
            }
        });
        MaxMessages.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is < 1)
            {
                r.AddError("--max-messages must be at least 1.");
            }
        });
        TimeoutMs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0)
            {
                r.AddError("--timeout-ms must not be negative.");
            }
        });
        Validators.Add(r =>
        {
            if (r.GetResult(Offset) is not null && r.GetResult(Partition) is null)
            {
                r.AddError("--offset needs --partition.");
            }

            if (r.GetResult(Group) is not null && (r.GetResult(Partition) is not null || r.GetResult(Offset) is not null))
            {
                r.AddError("--group cannot be combined with --partition or --offset.");
            }

            if (r.GetResult(Offset) is not null && r.GetResult(FromBeginning) is not null)
            {
                r.AddError("--from-beginning cannot be combined with --offset.");
            }
        });
    }

    public Option<string> Topic { get; } = new("--topic", "-t") { Description = "The topic to consume.", Required = true };

    public Option<bool> FromBeginning { get; } = new("--from-beginning")
    {
        Description = "Start at the earliest offset instead of the latest (with --group: when the group has no committed offset).",
    };

    public Option<int?> Partition { get; } = new("--partition", "-p") { Description = "Consume only this partition." };

    public Option<string> Offset { get; } = new("--offset", "-o")
    {
        Description = "Where to start in --partition: earliest, latest (default) or an offset.",
        HelpName = "earliest|latest|offset",
    };

    public Option<long?> MaxMessages { get; } = new("--max-messages") { Description = "Exit after this many records." };

    public Option<int?> TimeoutMs { get; } = new("--timeout-ms") { Description = "Exit when no record arrives for this many milliseconds." };

    public Option<string[]> Property { get; } = new("--property")
    {
        Description = "Output format: print.timestamp, print.partition, print.offset, print.headers, print.key, print.value, key.separator, line.separator, headers.separator, null.literal (key=value; repeatable).",
        HelpName = "key=value",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string> Group { get; } = new("--group", "-g") { Description = "Join this consumer group and subscribe (default: assign partitions, no group)." };

    public Option<string> IsolationLevel { get; } = new("--isolation-level") { Description = "read_uncommitted (default) or read_committed." };

    internal static bool TryParseOffset(string text, out Offset offset)
    {
        switch (text)
        {
            case "earliest":
                offset = Confluent.Kafka.Offset.Beginning;
                return true;
            case "latest":
                offset = Confluent.Kafka.Offset.End;
                return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            offset = new Offset(value);
            return true;
        }

        offset = Confluent.Kafka.Offset.Unset;
        return false;
    }

    internal ConsumeSettings Bind(ParseResult parseResult)
    {
        bool fromBeginning = parseResult.GetValue(FromBeginning);
        string? group = parseResult.GetValue(Group);
        Offset start = fromBeginning ? Confluent.Kafka.Offset.Beginning : Confluent.Kafka.Offset.End;
        if (parseResult.GetValue(Offset) is { } offsetText && !TryParseOffset(offsetText, out start))
        {
            throw new ToolException($"Invalid --offset '{offsetText}'.");
        }

        Dictionary<string, string> config = _client.BuildConfig(parseResult);
        config.TryAdd("auto.offset.reset", fromBeginning ? "earliest" : "latest");
        config.TryAdd("enable.partition.eof", "false");
        if (group is null)
        {
            // librdkafka needs a group.id even to assign partitions; nothing is committed under it.
            config.TryAdd("group.id", "runnel-console-consumer-" + Random.Shared.Next(100_000).ToString(CultureInfo.InvariantCulture));
            config["enable.auto.commit"] = "false";
        }
        else
        {
            config["group.id"] = group;
        }

        if (parseResult.GetValue(IsolationLevel) is { } isolation)
        {
            config["isolation.level"] = isolation;
        }

        int? timeoutMs = parseResult.GetValue(TimeoutMs);
        return new ConsumeSettings(
            parseResult.GetRequiredValue(Topic),
            parseResult.GetValue(Partition),
            start,
            parseResult.GetValue(MaxMessages),
            timeoutMs is int ms ? TimeSpan.FromMilliseconds(ms) : null,
            group,
            config,
            RecordFormatterOptions.FromProperties(KeyValueArguments.Parse(parseResult.GetValue(Property))));
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ConsumeSettings settings = Bind(parseResult);
        if (!ReferenceEquals(output, Console.Out))
        {
            return Task.FromResult(Run(settings, output, error, cancellationToken));
        }

        // Console.Out flushes on every write; a buffered writer keeps large outputs fast.
        using StreamWriter stdout = new(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        return Task.FromResult(Run(settings, stdout, error, cancellationToken));
    }

    /// <summary>Consumes and prints until the limit, the idle timeout or cancellation; returns the exit code.</summary>
    internal static int Run(ConsumeSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using IConsumer<byte[]?, byte[]?> consumer = KafkaClients.CreateConsumer<byte[]?, byte[]?>(settings.Config, error);
        if (settings.Group is not null)
        {
            consumer.Subscribe(settings.Topic);
        }
        else
        {
            List<int> partitions = settings.Partition is int only
                ? [only]
                : KafkaClients.GetPartitions(consumer, settings.Topic, TimeSpan.FromSeconds(30));
            consumer.Assign(partitions.ConvertAll(p => new TopicPartitionOffset(settings.Topic, p, settings.StartOffset)));
        }

        RecordFormatter formatter = new(settings.FormatterOptions);
        long count = 0;
        long lastRecordAt = Stopwatch.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested && (settings.MaxMessages is not long max || count < max))
            {
                ConsumeResult<byte[]?, byte[]?>? result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null || result.IsPartitionEOF)
                {
                    output.Flush();
                    if (settings.IdleTimeout is TimeSpan idle && Stopwatch.GetElapsedTime(lastRecordAt) >= idle)
                    {
                        break;
                    }

                    continue;
                }

                formatter.Write(output, result);
                count++;
                lastRecordAt = Stopwatch.GetTimestamp();
            }
        }
        finally
        {
            output.Flush();
            error.WriteLine($"Processed a total of {count} messages");
            if (settings.Group is not null)
            {
                consumer.Close();
            }
        }

        return cancellationToken.IsCancellationRequested ? InterruptedExitCode : 0;
    }
}
