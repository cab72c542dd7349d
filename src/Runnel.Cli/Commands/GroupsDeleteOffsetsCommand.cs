using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Groups;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel groups delete-offsets</c>: OffsetDelete (KIP-496) for some topics of one group, with
/// kafka-consumer-groups.sh <c>--delete-offsets</c>' report: a summary line, then TOPIC PARTITION
/// STATUS per partition. The coordinator refuses while the group is subscribed to the topic.
/// </summary>
internal sealed class GroupsDeleteOffsetsCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public GroupsDeleteOffsetsCommand()
        : base("delete-offsets", "Delete a consumer group's committed offsets for some topics.")
    {
        _client.AddTo(this);
        Options.Add(Group);
        Options.Add(Topic);
        Topic.Validators.Add(r =>
        {
            foreach (Token token in r.Tokens)
            {
                if (!TopicPartitionsArgument.TryParse(token.Value, out _, out string? problem))
                {
                    r.AddError(problem!);
                }
            }
        });
    }

    public Option<string> Group { get; } = new("--group", "-g") { Description = "The consumer group.", Required = true };

    public Option<string[]> Topic { get; } = new("--topic")
    {
        Description = "A topic whose offsets to delete, topic or topic:0,1,2; repeatable.",
        HelpName = "topic[:partitions]",
        AllowMultipleArgumentsPerToken = true,
        Required = true,
    };

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string group = parseResult.GetRequiredValue(Group);
        string[] topics = parseResult.GetRequiredValue(Topic);
        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);

        // A bare topic that does not exist is reported as partition "Not Provided", as Kafka does.
        List<TopicPartitionsArgument> arguments = [.. topics.Select(TopicPartitionsArgument.Parse)];
        Dictionary<string, (List<int> Partitions, Error Error)> described = await GroupsCommand.DescribePartitionsAsync(
            admin, [.. arguments.Where(a => a.Partitions is null).Select(a => a.Topic).Distinct()]);
        List<(TopicPartition Partition, Error? Error)> results = [];
        List<TopicPartition> partitions = [];
        foreach (TopicPartitionsArgument argument in arguments)
        {
            if (argument.Partitions is { } numbers)
            {
                partitions.AddRange(numbers.Select(n => new TopicPartition(argument.Topic, n)));
                continue;
            }

            (List<int> all, Error failure) = described.GetValueOrDefault(argument.Topic, ([], new Error(ErrorCode.UnknownTopicOrPart)));
            if (failure.IsError)
            {
                results.Add((new TopicPartition(argument.Topic, -1), failure));
            }
            else
            {
                partitions.AddRange(all.Select(n => new TopicPartition(argument.Topic, n)));
            }
        }

        partitions = [.. partitions.Distinct()];
        Error topLevel = new(ErrorCode.NoError);
        if (partitions.Count > 0)
        {
            try
            {
                await admin.DeleteConsumerGroupOffsetsAsync(group, partitions, new DeleteConsumerGroupOffsetsOptions { RequestTimeout = GroupsCommand.RequestTimeout });
                results.AddRange(partitions.Select(p => (p, (Error?)null)));
            }
            catch (DeleteConsumerGroupOffsetsException e)
            {
                topLevel = e.Result.Error;
                foreach (TopicPartitionOffsetError partition in e.Result.Partitions)
                {
                    results.Add((partition.TopicPartition, partition.Error.IsError ? partition.Error : null));
                }
            }
        }

        string? summary = Summary(group, topics, topLevel.IsError ? topLevel.Code : results.Exists(r => r.Error is not null) ? ErrorCode.UnknownTopicOrPart : ErrorCode.NoError);
        int exitCode = 0;
        if (summary is null)
        {
            await output.WriteLineAsync($"Request succeed for deleting offsets with topic {string.Join(", ", topics)} group {group}");
        }
        else
        {
            await error.WriteLineAsync(summary);
            exitCode = 1;
        }

        results.Sort((a, b) => GroupsCommand.Compare(a.Partition, b.Partition));
        StringBuilder table = new("\n");
        table.Append("TOPIC".PadRight(30)).Append(' ').Append("PARTITION".PadRight(15)).Append(' ').Append("STATUS".PadRight(15)).Append('\n');
        foreach ((TopicPartition partition, Error? failure) in results)
        {
            string number = partition.Partition.Value >= 0 ? partition.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "Not Provided";
            string status = failure is null ? "Successful" : "Error: " + KafkaErrorText.Describe(failure);
            table.Append(partition.Topic.PadRight(30)).Append(' ').Append(number.PadRight(15)).Append(' ').Append(status.PadRight(15)).Append('\n');
        }

        await output.WriteAsync(table.ToString());
        return exitCode;
    }

    /// <summary>Kafka's top-level line for an OffsetDelete outcome, or null on success.</summary>
    internal static string? Summary(string group, IReadOnlyList<string> topics, ErrorCode code) => code switch
    {
        ErrorCode.NoError => null,
        ErrorCode.InvalidGroupId => $"Error: '{group}' is not valid.",
        ErrorCode.GroupIdNotFound => $"Error: '{group}' does not exist.",
        ErrorCode.GroupAuthorizationFailed => $"Error: Access to '{group}' is not authorized.",
        ErrorCode.NonEmptyGroup => $"Error: Deleting offsets of a consumer group '{group}' is forbidden if the group is not empty.",
        ErrorCode.GroupSubscribedToTopic or ErrorCode.TopicAuthorizationFailed or ErrorCode.UnknownTopicOrPart =>
            "Error: Encounter some partition level error, see the follow-up details:",
        _ => $"Error: Encounter some unknown error: {KafkaErrorText.Describe(new Error(code))}",
    };
}
