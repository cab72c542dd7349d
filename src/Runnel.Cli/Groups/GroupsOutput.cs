using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Runnel.Cli.Groups;

/// <summary>
/// The tables of the <c>groups</c> commands, laid out as kafka-consumer-groups.sh prints them: columns
/// left-aligned and padded to Kafka's widths (a minimum, widened to the longest value), one space
/// apart, and a blank line before each table. Scripts that split Kafka's output on whitespace work
/// unchanged.
/// </summary>
internal static class GroupsOutput
{
    /// <summary>What Kafka prints for a value that is not there (<c>MISSING_COLUMN_VALUE</c>).</summary>
    public const string Missing = "-";

    /// <summary><c>groups list --state</c>: GROUP and STATE, the group column 10 wider than the longest id (at least 15).</summary>
    public static string FormatListing(IReadOnlyList<(string Group, string State)> groups)
    {
        int groupWidth = 15;
        foreach ((string group, _) in groups)
        {
            groupWidth = Math.Max(groupWidth, group.Length);
        }

        groupWidth += 10;
        StringBuilder text = new();
        AppendRow(text, [("GROUP", groupWidth), ("STATE", 20)]);
        foreach ((string group, string state) in groups)
        {
            AppendRow(text, [(group, groupWidth), (state, 20)]);
        }

        return text.ToString();
    }

    /// <summary>The offsets view of one group: a blank line, the header, one line per partition.</summary>
    public static string FormatOffsets(IReadOnlyList<PartitionOffsetsRow> rows)
    {
        int groupWidth = 15, topicWidth = 15, consumerIdWidth = 15, hostWidth = 15;
        foreach (PartitionOffsetsRow row in rows)
        {
            groupWidth = Math.Max(groupWidth, row.Group.Length);
            topicWidth = Math.Max(topicWidth, (row.Topic ?? Missing).Length);
            consumerIdWidth = Math.Max(consumerIdWidth, (row.ConsumerId ?? Missing).Length);
            hostWidth = Math.Max(hostWidth, (row.Host ?? Missing).Length);
        }

        StringBuilder text = new("\n");
        AppendRow(text, [
            ("GROUP", groupWidth), ("TOPIC", topicWidth), ("PARTITION", 10), ("CURRENT-OFFSET", 15), ("LOG-END-OFFSET", 15),
            ("LAG", 15), ("CONSUMER-ID", consumerIdWidth), ("HOST", hostWidth), ("CLIENT-ID", 0)]);
        foreach (PartitionOffsetsRow row in rows)
        {
            AppendRow(text, [
                (row.Group, groupWidth), (row.Topic ?? Missing, topicWidth), (Value(row.Partition), 10), (Value(row.CurrentOffset), 15),
                (Value(row.LogEndOffset), 15), (Value(row.Lag), 15), (row.ConsumerId ?? Missing, consumerIdWidth),
                (row.Host ?? Missing, hostWidth), (row.ClientId ?? Missing, 0)]);
        }

        return text.ToString();
    }

    /// <summary>
    /// The members view of one group: GROUP CONSUMER-ID [GROUP-INSTANCE-ID] HOST CLIENT-ID #PARTITIONS,
    /// plus ASSIGNMENT (<c>topic(0,1), other(2)</c>) with <paramref name="verbose"/>. GROUP-INSTANCE-ID
    /// appears only when some member is static, as in Kafka.
    /// </summary>
    public static string FormatMembers(IReadOnlyList<GroupMemberRow> rows, bool verbose)
    {
        int groupWidth = 15, consumerIdWidth = 15, instanceIdWidth = 17, hostWidth = 15, clientIdWidth = 15;
        bool includeInstanceId = false;
        foreach (GroupMemberRow row in rows)
        {
            groupWidth = Math.Max(groupWidth, row.Group.Length);
            consumerIdWidth = Math.Max(consumerIdWidth, row.ConsumerId.Length);
            instanceIdWidth = Math.Max(instanceIdWidth, row.GroupInstanceId.Length);
            hostWidth = Math.Max(hostWidth, row.Host.Length);
            clientIdWidth = Math.Max(clientIdWidth, row.ClientId.Length);
            includeInstanceId |= row.GroupInstanceId.Length > 0;
        }

        StringBuilder text = new("\n");
        List<(string, int)> header = [("GROUP", groupWidth), ("CONSUMER-ID", consumerIdWidth)];
        if (includeInstanceId)
        {
            header.Add(("GROUP-INSTANCE-ID", instanceIdWidth));
        }

        header.AddRange([("HOST", hostWidth), ("CLIENT-ID", clientIdWidth), ("#PARTITIONS", 15)]);
        if (verbose)
        {
            header.Add(("ASSIGNMENT", 0));
        }

        AppendRow(text, header);
        foreach (GroupMemberRow row in rows)
        {
            List<(string, int)> cells = [(row.Group, groupWidth), (row.ConsumerId, consumerIdWidth)];
            if (includeInstanceId)
            {
                cells.Add((row.GroupInstanceId, instanceIdWidth));
            }

            cells.AddRange([(row.Host, hostWidth), (row.ClientId, clientIdWidth), (Value(row.Assignment.Count), 15)]);
            if (verbose)
            {
                cells.Add((FormatAssignment(row.Assignment), 0));
            }

            AppendRow(text, cells);
        }

        return text.ToString();
    }

    /// <summary>An assignment as Kafka's verbose members view prints it: <c>a(0,1), b(2)</c>, topics sorted, or "-".</summary>
    public static string FormatAssignment(IReadOnlyList<TopicPartition> assignment)
    {
        if (assignment.Count == 0)
        {
            return Missing;
        }

        SortedDictionary<string, List<int>> byTopic = new(StringComparer.Ordinal);
        foreach (TopicPartition partition in assignment)
        {
            if (!byTopic.TryGetValue(partition.Topic, out List<int>? partitions))
            {
                byTopic[partition.Topic] = partitions = [];
            }

            partitions.Add(partition.Partition.Value);
        }

        StringBuilder text = new();
        foreach ((string topic, List<int> partitions) in byTopic)
        {
            partitions.Sort();
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(topic).Append('(').AppendJoin(',', partitions).Append(')');
        }

        return text.ToString();
    }

    /// <summary>The state view of one group: GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS.</summary>
    public static string FormatState(GroupStateRow row)
    {
        int groupWidth = Math.Max(15, row.Group.Length);
        int coordinatorWidth = Math.Max(25, row.Coordinator.Length);
        StringBuilder text = new("\n");
        AppendRow(text, [("GROUP", groupWidth), ("COORDINATOR (ID)", coordinatorWidth), ("ASSIGNMENT-STRATEGY", 20), ("STATE", 15), ("#MEMBERS", 0)]);
        AppendRow(text, [(row.Group, groupWidth), (row.Coordinator, coordinatorWidth), (row.AssignmentStrategy, 20), (row.State, 15), (Value(row.Members), 0)]);
        return text.ToString();
    }

    /// <summary>A reset plan: a blank line, GROUP TOPIC PARTITION NEW-OFFSET (Kafka's fixed widths), one line per partition.</summary>
    public static string FormatResetPlan(IReadOnlyList<OffsetResetRow> rows)
    {
        StringBuilder text = new("\n");
        AppendRow(text, [("GROUP", 30), ("TOPIC", 30), ("PARTITION", 10), ("NEW-OFFSET", 15)]);
        foreach (OffsetResetRow row in rows)
        {
            AppendRow(text, [(row.Group, 30), (row.Topic, 30), (Value(row.Partition), 10), (Value(row.NewOffset), 15)]);
        }

        return text.ToString();
    }

    private static string Value(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? Missing;

    private static string Value(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? Missing;

    /// <summary>Cells separated by one space, each padded on the right to its width (Java's <c>%-Ns</c>), then a newline.</summary>
    private static void AppendRow(StringBuilder text, IReadOnlyList<(string Value, int Width)> cells)
    {
        for (int i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                text.Append(' ');
            }

            text.Append(cells[i].Value.PadRight(cells[i].Width));
        }

        text.Append('\n');
    }
}
