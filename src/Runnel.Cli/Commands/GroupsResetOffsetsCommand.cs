using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Groups;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel groups reset-offsets</c>: kafka-consumer-groups.sh <c>--reset-offsets</c>. Computes new
/// offsets for the chosen partitions (<c>--topic t</c>, <c>--topic t:0,1</c> or <c>--all-topics</c>, the
/// partitions the group has committed) from one reset scenario, prints the plan as GROUP TOPIC
/// PARTITION NEW-OFFSET, and commits it (AlterConsumerGroupOffsets) only with <c>--execute</c>; a dry
/// run is the default, with Kafka's warning. Offsets are only reset for an inactive group (Empty, or
/// Dead: one that does not exist yet), because a live member would overwrite them with its next commit.
/// </summary>
internal sealed class GroupsResetOffsetsCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);
    private readonly GroupSelectionOptions _groups = new();

    public GroupsResetOffsetsCommand()
        : base("reset-offsets", "Reset a consumer group's committed offsets (dry run unless --execute).")
    {
        _client.AddTo(this);
        _groups.AddTo(this);
        Options.Add(Topic);
        Options.Add(AllTopics);
        Options.Add(ToEarliest);
        Options.Add(ToLatest);
        Options.Add(ToCurrent);
        Options.Add(ToOffset);
        Options.Add(ShiftBy);
        Options.Add(ToDatetime);
        Options.Add(ByDuration);
        Options.Add(DryRun);
        Options.Add(Execute);
        Options.Add(Export);

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
        ToDatetime.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && !KafkaDateTime.TryParse(value, out _))
            {
                r.AddError($"--to-datetime '{value}' is not a datetime of the form {KafkaDateTime.Format} (no zone means UTC).");
            }
        });
        ByDuration.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && !IsoDuration.TryParse(value, out _))
            {
                r.AddError($"--by-duration '{value}' is not a duration of the form PnDTnHnMnS.");
            }
        });
        Validators.Add(r =>
        {
            List<string> scenarios = [];
            foreach (Option option in Scenarios)
            {
                if (r.GetResult(option) is not null)
                {
                    scenarios.Add(option.Name);
                }
            }

            if (scenarios.Count == 0)
            {
                r.AddError("groups reset-offsets needs one of these options: " + string.Join(", ", Scenarios.Select(o => o.Name)) + ".");
            }
            else if (scenarios.Count > 1)
            {
                r.AddError($"{string.Join(" and ", scenarios)} cannot be used together: choose one reset scenario.");
            }

            bool topic = r.GetResult(Topic) is not null;
            bool allTopics = r.GetResult(AllTopics) is not null;
            if (topic == allTopics)
            {
                r.AddError(topic
                    ? "--topic cannot be used with --all-topics."
                    : "One of the reset scopes should be defined: --all-topics, --topic.");
            }

            if (r.GetResult(DryRun) is not null && r.GetResult(Execute) is not null)
            {
                r.AddError("groups reset-offsets only accepts one of --execute and --dry-run.");
            }
        });
    }

    /// <summary>Kafka's warning when neither --dry-run nor --execute is given.</summary>
    public const string NoExecuteWarning =
        "WARN: No action will be performed as the --execute option is missing. Add --dry-run to keep this behaviour explicitly, or --execute to reset the offsets.";

    public GroupSelectionOptions Groups => _groups;

    public Option<string[]> Topic { get; } = new("--topic")
    {
        Description = "A topic to reset, topic or topic:0,1,2 for some partitions; repeatable.",
        HelpName = "topic[:partitions]",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> AllTopics { get; } = new("--all-topics") { Description = "Reset every partition the group has committed an offset for." };

    public Option<bool> ToEarliest { get; } = new("--to-earliest") { Description = "Reset to the log start offset." };

    public Option<bool> ToLatest { get; } = new("--to-latest") { Description = "Reset to the log end offset." };

    public Option<bool> ToCurrent { get; } = new("--to-current") { Description = "Reset to the committed offset (the log end offset where none)." };

    public Option<long?> ToOffset { get; } = new("--to-offset") { Description = "Reset to this offset, kept within the log.", HelpName = "offset" };

    public Option<long?> ShiftBy { get; } = new("--shift-by")
    {
        Description = "Move the committed offset by n (negative moves back), kept within the log.",
        HelpName = "n",
    };

    public Option<string?> ToDatetime { get; } = new("--to-datetime")
    {
        Description = $"Reset to the first offset with a timestamp at or after this time, {KafkaDateTime.Format}.",
        HelpName = "datetime",
    };

    public Option<string?> ByDuration { get; } = new("--by-duration")
    {
        Description = "Reset to the first offset with a timestamp at or after now minus this duration, PnDTnHnMnS.",
        HelpName = "duration",
    };

    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Only print the new offsets (the default)." };

    public Option<bool> Execute { get; } = new("--execute") { Description = "Commit the new offsets." };

    public Option<bool> Export { get; } = new("--export") { Description = "Print the plan as CSV (topic,partition,offset; with several groups group first)." };

    private Option[] Scenarios => [ToDatetime, ByDuration, ToEarliest, ToLatest, ShiftBy, ToCurrent, ToOffset];

    /// <summary>The scenario a valid command line asks for; <paramref name="now"/> anchors <c>--by-duration</c>.</summary>
    public OffsetResetSpecification GetSpecification(ParseResult parseResult, DateTimeOffset now)
    {
        if (parseResult.GetValue(ToOffset) is long offset)
        {
            return new OffsetResetSpecification(OffsetResetKind.ToOffset, offset);
        }

        if (parseResult.GetValue(ShiftBy) is long shift)
        {
            return new OffsetResetSpecification(OffsetResetKind.ShiftBy, shift);
        }

        if (parseResult.GetValue(ToDatetime) is { } datetime)
        {
            return new OffsetResetSpecification(OffsetResetKind.ToTimestamp, KafkaDateTime.Parse(datetime));
        }

        if (parseResult.GetValue(ByDuration) is { } text)
        {
            return new OffsetResetSpecification(OffsetResetKind.ToTimestamp, (now - IsoDuration.Parse(text)).ToUnixTimeMilliseconds());
        }

        if (parseResult.GetValue(ToEarliest))
        {
            return new OffsetResetSpecification(OffsetResetKind.ToEarliest);
        }

        return parseResult.GetValue(ToLatest)
            ? new OffsetResetSpecification(OffsetResetKind.ToLatest)
            : new OffsetResetSpecification(OffsetResetKind.ToCurrent);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        OffsetResetSpecification specification = GetSpecification(parseResult, DateTimeOffset.UtcNow);
        bool execute = parseResult.GetValue(Execute);
        if (!execute && !parseResult.GetValue(DryRun))
        {
            await error.WriteLineAsync(NoExecuteWarning);
        }

        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);
        List<string> groups = await _groups.ResolveAsync(admin, parseResult);
        Dictionary<string, ConsumerGroupDescription> descriptions = await GroupsCommand.DescribeAsync(admin, groups);

        int exitCode = 0;
        bool planned = false;
        List<OffsetResetRow> rows = [];
        List<string> sorted = [.. groups];
        sorted.Sort(StringComparer.Ordinal);
        foreach (string group in sorted)
        {
            if (!descriptions.TryGetValue(group, out ConsumerGroupDescription? description)
                || (description.Error.IsError && !GroupsCommand.IsMissing(description)))
            {
                string reason = description is null ? "no description returned" : KafkaErrorText.Describe(description.Error);
                await error.WriteLineAsync($"Error: Executing consumer group command failed due to {reason}");
                exitCode = 1;
                continue;
            }

            ConsumerGroupState state = GroupsCommand.IsMissing(description) ? ConsumerGroupState.Dead : description.State;
            if (state is not (ConsumerGroupState.Empty or ConsumerGroupState.Dead))
            {
                await error.WriteLineAsync($"Error: Assignments can only be reset if the group '{group}' is inactive, but the current state is {state}.");
                exitCode = 1;
                continue;
            }

            planned = true;
            Dictionary<TopicPartition, long> committed = await GroupsCommand.CommittedOffsetsAsync(admin, group);
            List<TopicPartition> partitions = parseResult.GetValue(AllTopics)
                ? [.. committed.Keys]
                : await PartitionsOfAsync(admin, parseResult.GetValue(Topic) ?? []);
            Dictionary<TopicPartition, long> offsets = await PlanAsync(admin, specification, partitions, committed, error);
            if (execute && offsets.Count > 0 && !await CommitAsync(admin, group, offsets, error))
            {
                exitCode = 1;
                continue;
            }

            foreach ((TopicPartition partition, long offset) in offsets)
            {
                rows.Add(new OffsetResetRow(group, partition.Topic, partition.Partition.Value, offset));
            }
        }

        rows.Sort(static (a, b) =>
        {
            int byGroup = string.CompareOrdinal(a.Group, b.Group);
            int byTopic = string.CompareOrdinal(a.Topic, b.Topic);
            return byGroup != 0 ? byGroup : byTopic != 0 ? byTopic : a.Partition.CompareTo(b.Partition);
        });
        if (parseResult.GetValue(Export))
        {
            await output.WriteAsync(FormatCsv(rows, includeGroup: groups.Count != 1 || parseResult.GetValue(_groups.AllGroups)));
        }
        else if (planned)
        {
            await output.WriteAsync(GroupsOutput.FormatResetPlan(rows));
        }

        return exitCode;
    }

    /// <summary>
    /// The new offset of each partition under <paramref name="specification"/>. Offsets that cannot be
    /// computed (no log offsets for a partition, nothing committed to shift) fail the command, as in Kafka.
    /// </summary>
    internal static async Task<Dictionary<TopicPartition, long>> PlanAsync(
        IAdminClient admin,
        OffsetResetSpecification specification,
        IReadOnlyList<TopicPartition> partitions,
        IReadOnlyDictionary<TopicPartition, long> committed,
        TextWriter warnings)
    {
        Dictionary<TopicPartition, long> plan = [];
        if (partitions.Count == 0)
        {
            return plan;
        }

        switch (specification.Kind)
        {
            case OffsetResetKind.ToEarliest:
                Dictionary<TopicPartition, long> starts = await LogOffsets.ListAsync(admin, partitions, OffsetSpec.Earliest());
                foreach (TopicPartition partition in partitions)
                {
                    plan[partition] = Require(starts, partition, "starting offset");
                }

                return plan;

            case OffsetResetKind.ToLatest:
                Dictionary<TopicPartition, long> ends = await LogOffsets.ListAsync(admin, partitions, OffsetSpec.Latest());
                foreach (TopicPartition partition in partitions)
                {
                    plan[partition] = Require(ends, partition, "ending offset");
                }

                return plan;

            case OffsetResetKind.ToCurrent:
                List<TopicPartition> uncommitted = [.. partitions.Where(p => !committed.ContainsKey(p))];
                Dictionary<TopicPartition, long> uncommittedEnds = await LogOffsets.ListAsync(admin, uncommitted, OffsetSpec.Latest());
                foreach (TopicPartition partition in partitions)
                {
                    plan[partition] = committed.TryGetValue(partition, out long current) ? current : Require(uncommittedEnds, partition, "ending offset");
                }

                return plan;

            case OffsetResetKind.ToTimestamp:
                Dictionary<TopicPartition, long> byTime = await LogOffsets.ListAsync(admin, partitions, OffsetSpec.ForTimestamp(specification.Value));
                List<TopicPartition> afterLast = [];
                foreach (TopicPartition partition in partitions)
                {
                    long offset = Require(byTime, partition, "offset by timestamp");
                    if (offset >= 0)
                    {
                        plan[partition] = offset;
                    }
                    else
                    {
                        // No record at or after the time: Kafka falls back to the log end offset.
                        await warnings.WriteLineAsync($"Warn: Partition {partition.Partition.Value} from topic {partition.Topic} is empty. Falling back to latest known offset.");
                        afterLast.Add(partition);
                    }
                }

                Dictionary<TopicPartition, long> fallback = await LogOffsets.ListAsync(admin, afterLast, OffsetSpec.Latest());
                foreach (TopicPartition partition in afterLast)
                {
                    plan[partition] = Require(fallback, partition, "ending offset");
                }

                return plan;

            default:
                Dictionary<TopicPartition, long> requested = [];
                foreach (TopicPartition partition in partitions)
                {
                    if (specification.Kind == OffsetResetKind.ToOffset)
                    {
                        requested[partition] = specification.Value;
                    }
                    else if (committed.TryGetValue(partition, out long current))
                    {
                        requested[partition] = current + specification.Value;
                    }
                    else
                    {
                        throw new ToolException($"Error: Cannot shift offset for partition {GroupsCommand.PartitionName(partition)} since there is no current committed offset");
                    }
                }

                Dictionary<TopicPartition, long> logStarts = await LogOffsets.ListAsync(admin, partitions, OffsetSpec.Earliest());
                Dictionary<TopicPartition, long> logEnds = await LogOffsets.ListAsync(admin, partitions, OffsetSpec.Latest());
                foreach ((TopicPartition partition, long offset) in requested)
                {
                    plan[partition] = OffsetRange.Clamp(
                        partition,
                        offset,
                        logStarts.TryGetValue(partition, out long start) ? start : null,
                        logEnds.TryGetValue(partition, out long end) ? end : null,
                        out string? warning);
                    if (warning is not null)
                    {
                        await warnings.WriteLineAsync(warning);
                    }
                }

                return plan;
        }
    }

    /// <summary>The plan as kafka-consumer-groups.sh <c>--export</c> writes it: CSV, one partition per line.</summary>
    internal static string FormatCsv(IReadOnlyList<OffsetResetRow> rows, bool includeGroup)
    {
        StringBuilder text = new();
        foreach (OffsetResetRow row in rows)
        {
            if (includeGroup)
            {
                text.Append(row.Group).Append(',');
            }

            text.Append(row.Topic).Append(',').Append(row.Partition).Append(',').Append(row.NewOffset).Append('\n');
        }

        return text.ToString();
    }

    private static long Require(Dictionary<TopicPartition, long> offsets, TopicPartition partition, string what) =>
        offsets.TryGetValue(partition, out long offset)
            ? offset
            : throw new ToolException($"Error getting {what} of topic partition: {GroupsCommand.PartitionName(partition)}");

    /// <summary>The partitions <c>--topic</c> names: the listed ones, or every partition of a bare topic (from metadata).</summary>
    private static async Task<List<TopicPartition>> PartitionsOfAsync(IAdminClient admin, string[] topics)
    {
        List<TopicPartitionsArgument> arguments = [.. topics.Select(TopicPartitionsArgument.Parse)];
        Dictionary<string, (List<int> Partitions, Error Error)> described = await GroupsCommand.DescribePartitionsAsync(
            admin, [.. arguments.Where(a => a.Partitions is null).Select(a => a.Topic).Distinct()]);

        List<TopicPartition> partitions = [];
        foreach (TopicPartitionsArgument argument in arguments)
        {
            IReadOnlyList<int>? numbers = argument.Partitions;
            if (numbers is null)
            {
                (List<int> all, Error failure) = described.GetValueOrDefault(argument.Topic, ([], new Error(ErrorCode.UnknownTopicOrPart)));
                if (failure.IsError)
                {
                    throw new ToolException($"Error: Executing consumer group command failed due to {KafkaErrorText.Describe(failure)} (topic '{argument.Topic}')");
                }

                numbers = all;
            }

            foreach (int number in numbers)
            {
                TopicPartition partition = new(argument.Topic, number);
                if (!partitions.Contains(partition))
                {
                    partitions.Add(partition);
                }
            }
        }

        return partitions;
    }

    private static async Task<bool> CommitAsync(IAdminClient admin, string group, Dictionary<TopicPartition, long> offsets, TextWriter error)
    {
        List<TopicPartitionOffset> commits = [];
        foreach ((TopicPartition partition, long offset) in offsets)
        {
            commits.Add(new TopicPartitionOffset(partition, offset));
        }

        try
        {
            await admin.AlterConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitionOffsets(group, commits)],
                new AlterConsumerGroupOffsetsOptions { RequestTimeout = GroupsCommand.RequestTimeout });
            return true;
        }
        catch (AlterConsumerGroupOffsetsException e)
        {
            AlterConsumerGroupOffsetsReport report = e.Results[0];
            if (report.Error.IsError)
            {
                await error.WriteLineAsync($"Error: Executing consumer group command failed due to {KafkaErrorText.Describe(report.Error)}");
            }

            foreach (TopicPartitionOffsetError partition in report.Partitions)
            {
                if (partition.Error.IsError)
                {
                    await error.WriteLineAsync($"Error: Offset of {GroupsCommand.PartitionName(partition.TopicPartition)} in group '{group}' could not be reset due to {KafkaErrorText.Describe(partition.Error)}");
                }
            }

            return false;
        }
    }
}
