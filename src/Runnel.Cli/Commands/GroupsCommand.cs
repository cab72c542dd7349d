using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Groups;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel groups list|describe|delete|reset-offsets|delete-offsets</c>, modelled on
/// kafka-consumer-groups.sh (Kafka's <c>ConsumerGroupCommand</c>): its actions become subcommands,
/// its output shapes and messages stay. Unlike Kafka's tool, errors go to stderr and make the exit
/// code non-zero.
/// </summary>
internal sealed class GroupsCommand : Command
{
    /// <summary>How long an admin request may take before the tool gives up.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public GroupsCommand()
        : base("groups", "List, describe and delete consumer groups and reset their offsets (like kafka-consumer-groups.sh).")
    {
        Subcommands.Add(new GroupsListCommand());
        Subcommands.Add(new GroupsDescribeCommand());
        Subcommands.Add(new GroupsDeleteCommand());
        Subcommands.Add(new GroupsResetOffsetsCommand());
        Subcommands.Add(new GroupsDeleteOffsetsCommand());
    }

    /// <summary>A partition as Kafka's <c>TopicPartition.toString</c> prints it: <c>topic-0</c>.</summary>
    public static string PartitionName(TopicPartition partition) => $"{partition.Topic}-{partition.Partition.Value}";

    /// <summary>
    /// DescribeGroups for each group. A group whose description failed comes back with its
    /// <see cref="ConsumerGroupDescription.Error"/> set rather than failing the others.
    /// </summary>
    public static async Task<Dictionary<string, ConsumerGroupDescription>> DescribeAsync(IAdminClient admin, IReadOnlyCollection<string> groups)
    {
        Dictionary<string, ConsumerGroupDescription> descriptions = new(StringComparer.Ordinal);
        if (groups.Count == 0)
        {
            return descriptions;
        }

        List<ConsumerGroupDescription> results;
        try
        {
            results = (await admin.DescribeConsumerGroupsAsync(groups, new DescribeConsumerGroupsOptions { RequestTimeout = RequestTimeout }))
                .ConsumerGroupDescriptions;
        }
        catch (DescribeConsumerGroupsException e)
        {
            results = e.Results.ConsumerGroupDescriptions;
        }

        foreach (ConsumerGroupDescription description in results)
        {
            descriptions[description.GroupId] = description;
        }

        return descriptions;
    }

    /// <summary>
    /// The group does not exist: Kafka's coordinators describe an unknown group as Dead, newer ones
    /// (and the KIP-848 path) answer GROUP_ID_NOT_FOUND.
    /// </summary>
    public static bool IsMissing(ConsumerGroupDescription description) =>
        description.Error.Code == ErrorCode.GroupIdNotFound
        || (!description.Error.IsError && description.State == ConsumerGroupState.Dead);

    /// <summary>The group's committed offsets (OffsetFetch for all partitions); partitions without a commit are left out.</summary>
    public static async Task<Dictionary<TopicPartition, long>> CommittedOffsetsAsync(IAdminClient admin, string group)
    {
        List<ListConsumerGroupOffsetsResult> results;
        try
        {
            results = await admin.ListConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitions(group, null)],
                new ListConsumerGroupOffsetsOptions { RequestTimeout = RequestTimeout });
        }
        catch (ListConsumerGroupOffsetsException e)
        {
            Error failure = e.Results[0].Error;
            throw new ToolException($"Error: Executing consumer group command failed due to {KafkaErrorText.Describe(failure)}", e);
        }

        Dictionary<TopicPartition, long> committed = [];
        foreach (TopicPartitionOffsetError partition in results[0].Partitions)
        {
            // librdkafka reports a partition without a commit as offset -1001 (Offset.Unset).
            if (!partition.Error.IsError && partition.Offset.Value >= 0)
            {
                committed[partition.TopicPartition] = partition.Offset.Value;
            }
        }

        return committed;
    }

    /// <summary>
    /// The partitions of each topic, from DescribeTopics: unlike a metadata request through the admin
    /// client (which librdkafka sends as a producer's, with auto-creation allowed), it never creates a
    /// topic that does not exist. A topic that could not be described maps to its error instead.
    /// </summary>
    public static async Task<Dictionary<string, (List<int> Partitions, Error Error)>> DescribePartitionsAsync(IAdminClient admin, IReadOnlyCollection<string> topics)
    {
        Dictionary<string, (List<int>, Error)> result = new(StringComparer.Ordinal);
        if (topics.Count == 0)
        {
            return result;
        }

        List<TopicDescription> descriptions;
        try
        {
            descriptions = (await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(topics), new DescribeTopicsOptions { RequestTimeout = RequestTimeout }))
                .TopicDescriptions;
        }
        catch (DescribeTopicsException e)
        {
            descriptions = e.Results.TopicDescriptions;
        }

        foreach (TopicDescription description in descriptions)
        {
            List<int> partitions = [.. description.Partitions.Select(p => p.Partition)];
            partitions.Sort();
            result[description.Name] = (partitions, description.Error);
        }

        return result;
    }

    /// <summary>Orders partitions by topic, then partition number.</summary>
    public static int Compare(TopicPartition a, TopicPartition b)
    {
        int byTopic = string.CompareOrdinal(a.Topic, b.Topic);
        return byTopic != 0 ? byTopic : a.Partition.Value.CompareTo(b.Partition.Value);
    }
}
