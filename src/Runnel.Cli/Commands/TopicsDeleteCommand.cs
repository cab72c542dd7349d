using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel topics delete</c>: DeleteTopics by name. Prints nothing on success, as kafka-topics.sh.</summary>
internal sealed class TopicsDeleteCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public TopicsDeleteCommand()
        : base("delete", "Delete a topic.")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(IfExists);
    }

    public Option<string> Topic { get; } = new("--topic") { Description = "The topic to delete.", Required = true };

    public Option<bool> IfExists { get; } = new("--if-exists") { Description = "Succeed without change if the topic does not exist." };

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string topic = parseResult.GetRequiredValue(Topic);
        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);
        try
        {
            await admin.DeleteTopicsAsync([topic], new DeleteTopicsOptions { RequestTimeout = TopicsCommand.RequestTimeout });
        }
        catch (DeleteTopicsException e)
        {
            Error result = e.Results[0].Error;
            if (result.Code == ErrorCode.UnknownTopicOrPart)
            {
                if (parseResult.GetValue(IfExists))
                {
                    return 0;
                }

                await error.WriteLineAsync($"Error while executing topic command : Topic '{topic}' does not exist as expected");
                return 1;
            }

            await error.WriteLineAsync($"Error while executing topic command : {TopicsCreateCommand.Describe(result)}");
            return 1;
        }

        return 0;
    }
}
