using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Runnel.Cli.Kafka;
using Runnel.Cli.Records;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel produce</c>: a console producer like kafka-console-producer. Reads stdin line by line,
/// one record per line (key and headers split out per <c>--property</c>, see
/// <see cref="LineMessageReader"/>), flushes at end of input, and exits with 1 if any record failed.
/// </summary>
internal sealed class ProduceCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new(["--producer.config"], ["--producer-property"]);

    public ProduceCommand()
        : base("produce", "Read records from stdin, one per line, and produce them (like kafka-console-producer).")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(Property);
        Options.Add(Partition);
        Options.Add(CompressionType);
        Options.Add(Acks);
        Property.Validators.Add(KeyValueArguments.Validate);
        Partition.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0)
            {
                r.AddError("--partition must not be negative.");
            }
        });
        CompressionType.AcceptOnlyFromAmong("none", "gzip", "snappy", "lz4", "zstd");
        Acks.AcceptOnlyFromAmong("all", "-1", "0", "1");
    }

    public Option<string> Topic { get; } = new("--topic", "-t") { Description = "The topic to produce to.", Required = true };

    public Option<string[]> Property { get; } = new("--property")
    {
        Description = "Line parsing: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error (key=value; repeatable).",
        HelpName = "key=value",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<int?> Partition { get; } = new("--partition", "-p") { Description = "Send every record to this partition (default: the partitioner chooses)." };

    public Option<string> CompressionType { get; } = new("--compression-type", "--compression-codec") { Description = "Compression codec: none, gzip, snappy, lz4 or zstd." };

    public Option<string> Acks { get; } = new("--acks", "--request-required-acks") { Description = "Acknowledgements the leader must have: all (-1), 1 or 0." };

    /// <summary>Where records are read from; null means stdin (tests set a reader here).</summary>
    internal TextReader? Input { get; set; }

    internal ProduceSettings Bind(ParseResult parseResult)
    {
        Dictionary<string, string> config = _client.BuildConfig(parseResult);
        if (parseResult.GetValue(CompressionType) is { } compression)
        {
            config["compression.type"] = compression;
        }

        if (parseResult.GetValue(Acks) is { } acks)
        {
            config["acks"] = acks;
        }

        LineReaderOptions readerOptions = LineReaderOptions.FromProperties(KeyValueArguments.Parse(parseResult.GetValue(Property)));
        return new ProduceSettings(parseResult.GetRequiredValue(Topic), parseResult.GetValue(Partition), config, readerOptions);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ProduceSettings settings = Bind(parseResult);
        return Task.FromResult(Run(settings, Input ?? Console.In, error, cancellationToken));
    }

    /// <summary>Produces every line of <paramref name="input"/>; returns the exit code.</summary>
    internal static int Run(ProduceSettings settings, TextReader input, TextWriter error, CancellationToken cancellationToken)
    {
        using IProducer<byte[]?, byte[]?> producer = KafkaClients.CreateProducer<byte[]?, byte[]?>(settings.Config, error);
        LineMessageReader reader = new(settings.ReaderOptions);
        TopicPartition destination = new(settings.Topic, settings.Partition is int p ? new Partition(p) : Confluent.Kafka.Partition.Any);

        long failures = 0;
        void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failures);
                error.WriteLine(
                    $"Error when sending message to topic {settings.Topic} with key: {Describe(report.Message?.Key)}, value: {Describe(report.Message?.Value)} with error: {report.Error.Code}: {report.Error.Reason}");
            }
        }

        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery = OnDelivery;
        int exitCode = 0;
        long lineNumber = 0;
        string? line;
        while (!cancellationToken.IsCancellationRequested && (line = input.ReadLine()) is not null)
        {
            lineNumber++;
            if (!reader.TryParse(line, lineNumber, out LineRecord? record, out string? problem))
            {
                error.WriteLine(problem);
                exitCode = 1;
                break;
            }

            ProduceOne(producer, destination, ToMessage(record!), onDelivery, cancellationToken);
        }

        producer.Flush(cancellationToken);
        return Interlocked.Read(ref failures) > 0 ? 1 : exitCode;
    }

    internal static Message<byte[]?, byte[]?> ToMessage(LineRecord record)
    {
        Headers? headers = null;
        if (record.Headers.Count > 0)
        {
            headers = [];
            foreach (KeyValuePair<string, string?> header in record.Headers)
            {
                headers.Add(header.Key, header.Value is null ? null : Encoding.UTF8.GetBytes(header.Value));
            }
        }

        return new Message<byte[]?, byte[]?>
        {
            Key = record.Key is null ? null : Encoding.UTF8.GetBytes(record.Key),
            Value = record.Value is null ? null : Encoding.UTF8.GetBytes(record.Value),
            Headers = headers,
        };
    }

    /// <summary>Produces, waiting while librdkafka's queue is full (the Java producer blocks in send the same way).</summary>
    private static void ProduceOne(
        IProducer<byte[]?, byte[]?> producer,
        TopicPartition destination,
        Message<byte[]?, byte[]?> message,
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                producer.Produce(destination, message, onDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(10);
            }
        }
    }

    private static string Describe(byte[]? bytes) => bytes is null ? "null" : $"{bytes.Length} bytes";
}
