using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel topics alter</c>: <c>--partitions N</c> (CreatePartitions, as kafka-topics.sh
/// <c>--alter</c>) and <c>--add-config</c>/<c>--delete-config</c> (IncrementalAlterConfigs, as
/// kafka-configs.sh <c>--alter</c>, including its <c>k1=v1,k2=[a,b]</c> syntax).
/// </summary>
internal sealed class TopicsAlterCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public TopicsAlterCommand()
        : base("alter", "Add partitions to a topic or change its configs.")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(Partitions);
        Options.Add(AddConfig);
        Options.Add(DeleteConfig);
        Partitions.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--partitions must be at least 1.");
            }
        });
        AddConfig.Validators.Add(r =>
        {
            foreach (System.CommandLine.Parsing.Token token in r.Tokens)
            {
                if (!ConfigArguments.TryParseAddConfig(token.Value, [], out string? problem))
                {
                    r.AddError(problem!);
                }
            }
        });
        Validators.Add(r =>
        {
            if (r.GetResult(Partitions) is null && r.GetResult(AddConfig) is null && r.GetResult(DeleteConfig) is null)
            {
                r.AddError("Nothing to alter: give --partitions, --add-config or --delete-config.");
            }
        });
    }

    public Option<string> Topic { get; } = new("--topic") { Description = "The topic to alter.", Required = true };

    public Option<int?> Partitions { get; } = new("--partitions") { Description = "The new total number of partitions (can only grow)." };

    public Option<string[]> AddConfig { get; } = new("--add-config")
    {
        Description = "Set topic configs: key=value, or k1=v1,k2=[v1,v2] as kafka-configs.sh; repeatable.",
        HelpName = "key=value",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> DeleteConfig { get; } = new("--delete-config")
    {
        Description = "Remove topic config overrides (back to the default): key or k1,k2; repeatable.",
        HelpName = "key",
        AllowMultipleArgumentsPerToken = true,
    };

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string topic = parseResult.GetRequiredValue(Topic);
        int? partitions = parseResult.GetValue(Partitions);
        List<ConfigEntry> changes = ConfigArguments.BuildChanges(parseResult.GetValue(AddConfig), parseResult.GetValue(DeleteConfig));

        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);
        if (partitions is int count)
        {
            try
            {
                await admin.CreatePartitionsAsync(
                    [new PartitionsSpecification { Topic = topic, IncreaseTo = count }],
                    new CreatePartitionsOptions { RequestTimeout = TopicsCommand.RequestTimeout });
            }
            catch (CreatePartitionsException e)
            {
                await error.WriteLineAsync($"Error while executing topic command : {TopicsCreateCommand.Describe(e.Results[0].Error)}");
                return 1;
            }

            await output.WriteLineAsync("WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected");
            await output.WriteLineAsync("Adding partitions succeeded!");
        }

        if (changes.Count > 0)
        {
            ConfigResource resource = new() { Type = ResourceType.Topic, Name = topic };
            try
            {
                await admin.IncrementalAlterConfigsAsync(
                    new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = changes },
                    new IncrementalAlterConfigsOptions { RequestTimeout = TopicsCommand.RequestTimeout });
            }
            catch (IncrementalAlterConfigsException e)
            {
                await error.WriteLineAsync($"Error while executing config command : {TopicsCreateCommand.Describe(e.Results[0].Error)}");
                return 1;
            }

            await output.WriteLineAsync($"Completed updating config for topic {topic}.");
        }

        return 0;
    }
}
