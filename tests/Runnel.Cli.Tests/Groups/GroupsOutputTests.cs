using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Commands;
using Runnel.Cli.Groups;

namespace Runnel.Cli.Tests.Groups;

public class GroupsOutputTests
{
    [Fact]
    public void Offsets_table_pads_columns_to_kafkas_widths_and_prints_dashes_for_missing_values()
    {
        string text = GroupsOutput.FormatOffsets(
        [
            new PartitionOffsetsRow("g", "orders", 0, 3, 5, "consumer-1-abc", "/127.0.0.1", "consumer-1"),
            new PartitionOffsetsRow("g", "orders", 1, null, 4, null, null, null),
        ]);

        Assert.Equal(
            "\n"
            + "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n"
            + "g               orders          0          3               5               2               consumer-1-abc  /127.0.0.1      consumer-1\n"
            + "g               orders          1          -               4               -               -               -               -\n",
            text);
    }

    [Fact]
    public void Offsets_table_widens_a_column_to_its_longest_value()
    {
        string topic = new('t', 20);
        string[] lines = GroupsOutput.FormatOffsets([new PartitionOffsetsRow("g", topic, 0, 1, 1, null, null, null)]).Split('\n');
        Assert.StartsWith("GROUP           TOPIC                PARTITION ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"g               {topic} 0          1               1               0 ", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Members_table_adds_assignments_when_verbose_and_instance_ids_when_static()
    {
        GroupMemberRow dynamicMember = new("g", "c-1", "", "/10.0.0.1", "client", [new TopicPartition("b", 2), new TopicPartition("a", 1), new TopicPartition("a", 0)]);
        string plain = GroupsOutput.FormatMembers([dynamicMember], verbose: false);
        Assert.Equal(
            "\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS    \n"
            + "g               c-1             /10.0.0.1       client          3              \n",
            plain);

        GroupMemberRow staticMember = dynamicMember with { GroupInstanceId = "instance-1", Assignment = [] };
        string[] verbose = GroupsOutput.FormatMembers([dynamicMember, staticMember], verbose: true).Split('\n');
        Assert.Equal("GROUP           CONSUMER-ID     GROUP-INSTANCE-ID HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT", verbose[1]);
        Assert.EndsWith("3               a(0,1), b(2)", verbose[2], StringComparison.Ordinal);
        Assert.Contains(" instance-1        ", verbose[3], StringComparison.Ordinal);
        Assert.EndsWith("0               -", verbose[3], StringComparison.Ordinal);
    }

    [Fact]
    public void State_table_shows_the_coordinator_as_host_port_and_id()
    {
        Assert.Equal(
            "\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS\n"
            + "g               127.0.0.1:9092  (1)       range                Stable          2\n",
            GroupsOutput.FormatState(new GroupStateRow("g", "127.0.0.1:9092  (1)", "range", "Stable", 2)));
    }

    [Fact]
    public void Reset_plan_uses_kafkas_fixed_widths()
    {
        Assert.Equal(
            "\n" + "GROUP".PadRight(30) + " " + "TOPIC".PadRight(30) + " PARTITION  NEW-OFFSET     \n"
            + "g".PadRight(30) + " " + "orders".PadRight(30) + " 1          17             \n",
            GroupsOutput.FormatResetPlan([new OffsetResetRow("g", "orders", 1, 17)]));
    }

    [Fact]
    public void Listing_with_states_pads_the_group_column_ten_past_the_longest_id()
    {
        string[] lines = GroupsOutput.FormatListing([("a-very-long-group-id", "Stable"), ("g", "Empty")]).TrimEnd('\n').Split('\n');
        Assert.Equal("GROUP".PadRight(30) + " " + "STATE".PadRight(20), lines[0]);
        Assert.Equal("a-very-long-group-id".PadRight(30) + " " + "Stable".PadRight(20), lines[1]);
        Assert.Equal("g".PadRight(30) + " " + "Empty".PadRight(20), lines[2]);
    }

    [Fact]
    public void Offset_rows_list_owned_partitions_by_member_size_then_unowned_commits()
    {
        MemberDescription small = Member("small", new TopicPartition("t", 2));
        MemberDescription big = Member("big", new TopicPartition("t", 1), new TopicPartition("t", 0));
        MemberDescription idle = Member("idle");
        Dictionary<TopicPartition, long> committed = new() { [new("t", 0)] = 4, [new("t", 3)] = 9, [new("old", 0)] = 1 };
        Dictionary<TopicPartition, long> ends = new() { [new("t", 0)] = 10, [new("t", 1)] = 10, [new("t", 2)] = 10, [new("t", 3)] = 9 };

        List<PartitionOffsetsRow> rows = GroupsDescribeCommand.BuildOffsetRows("g", [small, big, idle], committed, ends);

        Assert.Equal(
            [
                new PartitionOffsetsRow("g", "t", 0, 4, 10, "big", "/h", "c"),
                new PartitionOffsetsRow("g", "t", 1, null, 10, "big", "/h", "c"),
                new PartitionOffsetsRow("g", "t", 2, null, 10, "small", "/h", "c"),
                new PartitionOffsetsRow("g", "old", 0, 1, null, null, null, null),
                new PartitionOffsetsRow("g", "t", 3, 9, 9, null, null, null),
            ],
            rows);
        Assert.Equal(6, rows[0].Lag);
        Assert.Null(rows[1].Lag);
        Assert.Null(rows[3].Lag);
    }

    [Fact]
    public void Notices_are_kafkas_for_empty_and_rebalancing_groups()
    {
        Assert.Equal("Consumer group 'g' has no active members.", GroupsDescribeCommand.Notice("g", ConsumerGroupState.Empty));
        Assert.Equal("Warning: Consumer group 'g' is rebalancing.", GroupsDescribeCommand.Notice("g", ConsumerGroupState.PreparingRebalance));
        Assert.Null(GroupsDescribeCommand.Notice("g", ConsumerGroupState.Stable));
    }

    [Fact]
    public void Group_errors_print_with_kafkas_names_and_messages()
    {
        Assert.Equal(
            "* Group 'g' could not be deleted due to: NON_EMPTY_GROUP: The group is not empty.",
            GroupsDeleteCommand.FailureLine("g", new Error(ErrorCode.NonEmptyGroup)));
        Assert.Equal("GROUP_ID_NOT_FOUND: The group id does not exist.", KafkaErrorText.Describe(new Error(ErrorCode.GroupIdNotFound)));
    }

    private static MemberDescription Member(string consumerId, params TopicPartition[] partitions) => new()
    {
        ConsumerId = consumerId,
        ClientId = "c",
        Host = "/h",
        Assignment = new MemberAssignment { TopicPartitions = [.. partitions] },
    };
}
