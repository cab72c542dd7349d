using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Groups;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel groups delete</c>: DeleteGroups, with kafka-consumer-groups.sh <c>--delete</c>'s report:
/// "Deletion of requested consumer groups ('g') was successful." or, per group that failed (a group
/// with members answers NON_EMPTY_GROUP), "* Group 'g' could not be deleted due to: ..." on stderr.
/// </summary>
internal sealed class GroupsDeleteCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);
    private readonly GroupSelectionOptions _groups = new();

    public GroupsDeleteCommand()
        : base("delete", "Delete consumer groups and their committed offsets.")
    {
        _client.AddTo(this);
        _groups.AddTo(this);
    }

    public GroupSelectionOptions Groups => _groups;

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);
        List<string> groups = await _groups.ResolveAsync(admin, parseResult);
        if (groups.Count == 0)
        {
            return 0;
        }

        List<DeleteGroupReport> failed = [];
        try
        {
            await admin.DeleteGroupsAsync(groups, new DeleteGroupsOptions { RequestTimeout = GroupsCommand.RequestTimeout });
        }
        catch (DeleteGroupsException e)
        {
            foreach (DeleteGroupReport report in e.Results)
            {
                if (report.Error.IsError)
                {
                    failed.Add(report);
                }
            }
        }

        List<string> deleted = [.. groups.Where(g => !failed.Exists(f => f.Group == g))];
        if (failed.Count == 0)
        {
            await output.WriteLineAsync($"Deletion of requested consumer groups ({Quoted(deleted)}) was successful.");
            return 0;
        }

        await error.WriteLineAsync("Error: Deletion of some consumer groups failed:");
        foreach (DeleteGroupReport report in failed)
        {
            await error.WriteLineAsync(FailureLine(report.Group, report.Error));
        }

        if (deleted.Count > 0)
        {
            await output.WriteLineAsync($"These consumer groups were deleted successfully: {Quoted(deleted)}");
        }

        return 1;
    }

    /// <summary>Kafka's line for a group that could not be deleted, with Kafka's name and message for the error.</summary>
    internal static string FailureLine(string group, Error error) =>
        $"* Group '{group}' could not be deleted due to: {KafkaErrorText.Describe(error)}";

    private static string Quoted(IEnumerable<string> groups) => string.Join(", ", groups.Select(g => $"'{g}'"));
}
