using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Groups;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel groups describe</c>: kafka-consumer-groups.sh <c>--describe</c>. The default (offsets)
/// view prints, per partition the group owns or has committed, the committed offset, the log end
/// offset (ListOffsets latest) and the lag; partitions assigned to a member come first (members
/// with the most partitions first), then committed partitions no member owns. <c>--members</c> lists
/// members with their partition counts (<c>--verbose</c>: the partitions), <c>--state</c> the
/// coordinator, assignor, state and member count. A group that does not exist is an error; an empty or
/// rebalancing group gets Kafka's notice on stderr and its table still prints.
/// </summary>
internal sealed class GroupsDescribeCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);
    private readonly GroupSelectionOptions _groups = new();

    public GroupsDescribeCommand()
        : base("describe", "Describe consumer groups: offsets and lag per partition, members, or state.")
    {
        _client.AddTo(this);
        _groups.AddTo(this);
        Options.Add(Offsets);
        Options.Add(Members);
        Options.Add(State);
        Options.Add(Verbose);
        Validators.Add(r =>
        {
            int views = (r.GetResult(Offsets) is null ? 0 : 1) + (r.GetResult(Members) is null ? 0 : 1) + (r.GetResult(State) is null ? 0 : 1);
            if (views > 1)
            {
                r.AddError("groups describe takes at most one of these options: --members, --offsets, --state.");
            }
        });
    }

    public GroupSelectionOptions Groups => _groups;

    public Option<bool> Offsets { get; } = new("--offsets") { Description = "Offsets and lag per partition (the default view)." };

    public Option<bool> Members { get; } = new("--members") { Description = "The group's members and how many partitions each has." };

    public Option<bool> State { get; } = new("--state") { Description = "The group's coordinator, assignment strategy, state and member count." };

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "With --members: each member's partitions too." };

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);
        List<string> groups = await _groups.ResolveAsync(admin, parseResult);
        Dictionary<string, ConsumerGroupDescription> descriptions = await GroupsCommand.DescribeAsync(admin, groups);
        bool members = parseResult.GetValue(Members);
        bool state = parseResult.GetValue(State);
        bool verbose = parseResult.GetValue(Verbose);

        int exitCode = 0;
        List<string> sorted = [.. groups];
        sorted.Sort(StringComparer.Ordinal);
        foreach (string group in sorted)
        {
            if (!descriptions.TryGetValue(group, out ConsumerGroupDescription? description))
            {
                await error.WriteLineAsync($"Error: The consumer group '{group}' does not exist.");
                exitCode = 1;
                continue;
            }

            if (description.Error.IsError && !GroupsCommand.IsMissing(description))
            {
                await error.WriteLineAsync($"Error: Executing consumer group command failed due to {KafkaErrorText.Describe(description.Error)}");
                exitCode = 1;
                continue;
            }

            if (GroupsCommand.IsMissing(description))
            {
                await error.WriteLineAsync($"Error: Consumer group '{group}' does not exist.");
                exitCode = 1;
                continue;
            }

            string? table;
            if (members)
            {
                List<GroupMemberRow> rows = MemberRows(description);
                table = rows.Count > 0 ? GroupsOutput.FormatMembers(rows, verbose) : null;
            }
            else if (state)
            {
                table = GroupsOutput.FormatState(StateRow(description));
            }
            else
            {
                List<PartitionOffsetsRow> rows = await OffsetRowsAsync(admin, description);
                table = rows.Count > 0 ? GroupsOutput.FormatOffsets(rows) : null;
            }

            await WriteNoticeAsync(error, description);
            if (table is not null)
            {
                await output.WriteAsync(table);
            }
        }

        return exitCode;
    }

    /// <summary>Kafka's notice for a group that is not Stable (<c>shouldPrintMemberState</c>).</summary>
    internal static string? Notice(string group, ConsumerGroupState state) => state switch
    {
        ConsumerGroupState.Empty => $"Consumer group '{group}' has no active members.",
        ConsumerGroupState.PreparingRebalance or ConsumerGroupState.CompletingRebalance => $"Warning: Consumer group '{group}' is rebalancing.",
        _ => null,
    };

    private static async Task WriteNoticeAsync(TextWriter error, ConsumerGroupDescription description)
    {
        if (Notice(description.GroupId, description.State) is { } notice)
        {
            await error.WriteLineAsync(notice);
        }
    }

    /// <summary>
    /// The offsets view's rows: each member's partitions (members with the most partitions first, each
    /// member's partitions in order), then committed partitions no member owns, with "-" for the member.
    /// </summary>
    internal static List<PartitionOffsetsRow> BuildOffsetRows(
        string group,
        IReadOnlyList<MemberDescription> members,
        IReadOnlyDictionary<TopicPartition, long> committed,
        IReadOnlyDictionary<TopicPartition, long> logEndOffsets)
    {
        List<PartitionOffsetsRow> rows = [];
        HashSet<TopicPartition> assigned = [];

        // A stable sort: members with equal counts keep the coordinator's order, as in Kafka.
        List<MemberDescription> owners = [.. members.Where(m => m.Assignment?.TopicPartitions is { Count: > 0 }).OrderByDescending(m => m.Assignment.TopicPartitions.Count)];
        foreach (MemberDescription member in owners)
        {
            List<TopicPartition> partitions = [.. member.Assignment.TopicPartitions];
            partitions.Sort(GroupsCommand.Compare);
            foreach (TopicPartition partition in partitions)
            {
                assigned.Add(partition);
                rows.Add(Row(group, partition, committed, logEndOffsets, member.ConsumerId, member.Host, member.ClientId));
            }
        }

        List<TopicPartition> unassigned = [.. committed.Keys.Where(p => !assigned.Contains(p))];
        unassigned.Sort(GroupsCommand.Compare);
        foreach (TopicPartition partition in unassigned)
        {
            rows.Add(Row(group, partition, committed, logEndOffsets, null, null, null));
        }

        return rows;
    }

    private static PartitionOffsetsRow Row(
        string group,
        TopicPartition partition,
        IReadOnlyDictionary<TopicPartition, long> committed,
        IReadOnlyDictionary<TopicPartition, long> logEndOffsets,
        string? consumerId,
        string? host,
        string? clientId) =>
        new(
            group,
            partition.Topic,
            partition.Partition.Value,
            committed.TryGetValue(partition, out long offset) ? offset : null,
            logEndOffsets.TryGetValue(partition, out long end) ? end : null,
            consumerId,
            host,
            clientId);

    private static async Task<List<PartitionOffsetsRow>> OffsetRowsAsync(IAdminClient admin, ConsumerGroupDescription description)
    {
        Dictionary<TopicPartition, long> committed = await GroupsCommand.CommittedOffsetsAsync(admin, description.GroupId);
        List<TopicPartition> partitions = [.. committed.Keys];
        foreach (MemberDescription member in description.Members)
        {
            if (member.Assignment?.TopicPartitions is { } assignment)
            {
                partitions.AddRange(assignment);
            }
        }

        Dictionary<TopicPartition, long> logEndOffsets = await LogOffsets.ListAsync(admin, partitions, OffsetSpec.Latest());
        return BuildOffsetRows(description.GroupId, description.Members, committed, logEndOffsets);
    }

    private static List<GroupMemberRow> MemberRows(ConsumerGroupDescription description)
    {
        List<GroupMemberRow> rows = [];
        foreach (MemberDescription member in description.Members)
        {
            List<TopicPartition> assignment = member.Assignment?.TopicPartitions ?? [];
            rows.Add(new GroupMemberRow(
                description.GroupId,
                member.ConsumerId,
                member.GroupInstanceId ?? string.Empty,
                member.Host,
                member.ClientId,
                assignment));
        }

        return rows;
    }

    private static GroupStateRow StateRow(ConsumerGroupDescription description)
    {
        Node? coordinator = description.Coordinator;
        string node = coordinator is null
            ? GroupsOutput.Missing
            : $"{coordinator.Host}:{coordinator.Port.ToString(CultureInfo.InvariantCulture)}  ({coordinator.Id.ToString(CultureInfo.InvariantCulture)})";
        return new GroupStateRow(
            description.GroupId,
            node,
            string.IsNullOrEmpty(description.PartitionAssignor) ? GroupsOutput.Missing : description.PartitionAssignor,
            description.State.ToString(),
            description.Members.Count);
    }
}
