using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Commands;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Groups;

/// <summary>
/// <c>--group G</c> (repeatable) or <c>--all-groups</c>: the groups a describe, delete or reset acts on,
/// exactly one of the two, as kafka-consumer-groups.sh requires. One instance per command.
/// </summary>
internal sealed class GroupSelectionOptions
{
    public Option<string[]> Group { get; } = new("--group", "-g")
    {
        Description = "The consumer group to act on; repeatable.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> AllGroups { get; } = new("--all-groups") { Description = "Act on every consumer group." };

    public void AddTo(Command command)
    {
        command.Options.Add(Group);
        command.Options.Add(AllGroups);
        command.Validators.Add(r =>
        {
            bool group = r.GetResult(Group) is not null;
            bool all = r.GetResult(AllGroups) is not null;
            if (group && all)
            {
                r.AddError("--group cannot be used with --all-groups.");
            }
            else if (!group && !all)
            {
                r.AddError($"groups {command.Name} takes one of these options: --group, --all-groups.");
            }
        });
    }

    /// <summary>The named groups in the order given (duplicates dropped), or with <c>--all-groups</c> every group, sorted.</summary>
    public async Task<List<string>> ResolveAsync(IAdminClient admin, ParseResult parseResult)
    {
        if (parseResult.GetValue(AllGroups))
        {
            List<string> all = [];
            foreach (ConsumerGroupListing listing in await ListAsync(admin, null))
            {
                all.Add(listing.GroupId);
            }

            return all;
        }

        List<string> named = [];
        foreach (string group in parseResult.GetValue(Group) ?? [])
        {
            if (!named.Contains(group, StringComparer.Ordinal))
            {
                named.Add(group);
            }
        }

        return named;
    }

    /// <summary>
    /// Every group (in <paramref name="states"/> when given), sorted by id. A broker that cannot answer
    /// fails the command: a partial list would look complete.
    /// </summary>
    public static async Task<List<ConsumerGroupListing>> ListAsync(IAdminClient admin, IReadOnlyCollection<ConsumerGroupState>? states)
    {
        ListConsumerGroupsOptions options = new() { RequestTimeout = GroupsCommand.RequestTimeout };
        if (states is { Count: > 0 })
        {
            options.MatchStates = states;
        }

        List<ConsumerGroupListing> listings;
        try
        {
            listings = (await admin.ListConsumerGroupsAsync(options)).Valid;
        }
        catch (ListConsumerGroupsException e)
        {
            Error first = e.Results.Errors[0];
            throw new ToolException($"Error: Executing consumer group command failed due to {KafkaErrorText.Describe(first)}", e);
        }

        listings.Sort(static (a, b) => string.CompareOrdinal(a.GroupId, b.GroupId));
        return listings;
    }
}
