using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel topics create</c>: CreateTopics with partitions, replication factor and configs.</summary>
internal sealed class TopicsCreateCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public TopicsCreateCommand()
        : base("create", "Create a topic.")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(Partitions);
        Options.Add(ReplicationFactor);
        Options.Add(Config);
        Options.Add(IfNotExists);
        Config.Validators.Add(KeyValueArguments.Validate);
        Partitions.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--partitions must be at least 1.");
            }
        });
        ReplicationFactor.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<short?>() is < 1)
            {
                r.AddError("--replication-factor must be at least 1.");
            }
        });
    }

    public Option<string> Topic { get; } = new("--topic") { Description = "The topic to create.", Required = true };

    public Option<int?> Partitions { get; } = new("--partitions") { Description = "Number of partitions (default: the broker's num.partitions)." };

    public Option<short?> ReplicationFactor { get; } = new("--replication-factor")
    {
        Description = "Replication factor (default: the broker's default.replication.factor).",
    };

    public Option<string[]> Config { get; } = new("--config")
    {
        Description = "A topic config override key=value; repeatable.",
        HelpName = "key=value",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> IfNotExists { get; } = new("--if-not-exists") { Description = "Succeed without change if the topic already exists." };

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string topic = parseResult.GetRequiredValue(Topic);
        TopicSpecification specification = new()
        {
            Name = topic,
            NumPartitions = parseResult.GetValue(Partitions) ?? -1,
            ReplicationFactor = parseResult.GetValue(ReplicationFactor) ?? -1,
            Configs = KeyValueArguments.Parse(parseResult.GetValue(Config)),
        };

        if (topic.Contains('.', StringComparison.Ordinal) || topic.Contains('_', StringComparison.Ordinal))
        {
            // kafka-topics.sh prints the same warning: metric names replace '.' with '_'.
            await output.WriteLineAsync("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.");
        }

        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);
        try
        {
            await admin.CreateTopicsAsync([specification], new CreateTopicsOptions { RequestTimeout = TopicsCommand.RequestTimeout });
        }
        catch (CreateTopicsException e)
        {
            Error result = e.Results[0].Error;
            if (result.Code == ErrorCode.TopicAlreadyExists && parseResult.GetValue(IfNotExists))
            {
                return 0;
            }

            await error.WriteLineAsync($"Error while executing topic command : {Describe(result)}");
            return 1;
        }

        await output.WriteLineAsync($"Created topic {topic}.");
        return 0;
    }

    internal static string Describe(Error error) =>
        string.IsNullOrEmpty(error.Reason) ? error.Code.ToString() : error.Reason;
}
