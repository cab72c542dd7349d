using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Groups;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel groups list</c>: every consumer group id, sorted, one per line. With <c>--state</c>, a
/// GROUP STATE table instead; <c>--state stable,empty</c> lists only groups in those states (ListGroups
/// v4 states filter), as kafka-consumer-groups.sh <c>--list --state</c>.
/// </summary>
internal sealed class GroupsListCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public GroupsListCommand()
        : base("list", "List consumer groups.")
    {
        _client.AddTo(this);
        Options.Add(State);
        State.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && !TryParseStates(value, out _, out string? problem))
            {
                r.AddError(problem!);
            }
        });
    }

    /// <summary>The states Confluent.Kafka can filter on, named as Kafka's <c>ConsumerGroupState</c>.</summary>
    public static IReadOnlyList<ConsumerGroupState> KnownStates { get; } =
        [ConsumerGroupState.PreparingRebalance, ConsumerGroupState.CompletingRebalance, ConsumerGroupState.Stable, ConsumerGroupState.Dead, ConsumerGroupState.Empty];

    public Option<string?> State { get; } = new("--state")
    {
        Description = "Show each group's state; with a value (e.g. stable,empty) list only groups in those states.",
        HelpName = "states",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>Parses a comma-separated state list case-insensitively (Kafka's <c>ConsumerGroupState.parse</c>).</summary>
    public static bool TryParseStates(string text, out HashSet<ConsumerGroupState> states, out string? problem)
    {
        states = [];
        problem = null;
        foreach (string name in text.Split(',', StringSplitOptions.TrimEntries))
        {
            ConsumerGroupState? match = null;
            foreach (ConsumerGroupState known in KnownStates)
            {
                if (string.Equals(known.ToString(), name, StringComparison.OrdinalIgnoreCase))
                {
                    match = known;
                }
            }

            if (match is null)
            {
                problem = $"Invalid state list '{text}'. Valid states are: {string.Join(", ", KnownStates)}";
                return false;
            }

            states.Add(match.Value);
        }

        return true;
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        bool includeState = parseResult.GetResult(State) is not null;
        HashSet<ConsumerGroupState> states = [];
        if (parseResult.GetValue(State) is { Length: > 0 } filter && !TryParseStates(filter, out states, out string? problem))
        {
            throw new ToolException(problem!);
        }

        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);
        List<ConsumerGroupListing> listings = await GroupSelectionOptions.ListAsync(admin, states);
        if (!includeState)
        {
            foreach (ConsumerGroupListing listing in listings)
            {
                await output.WriteLineAsync(listing.GroupId);
            }

            return 0;
        }

        List<(string Group, string State)> rows = [];
        foreach (ConsumerGroupListing listing in listings)
        {
            rows.Add((listing.GroupId, listing.State.ToString()));
        }

        await output.WriteAsync(GroupsOutput.FormatListing(rows));
        return 0;
    }
}
