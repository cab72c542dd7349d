using System.CommandLine;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel topics create|list|describe|delete|alter</c>, modelled on <c>kafka-topics.sh</c>.</summary>
internal sealed class TopicsCommand : Command
{
    /// <summary>How long an admin request may take before the tool gives up.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public TopicsCommand()
        : base("topics", "Create, list, describe, delete and alter topics (like kafka-topics.sh).")
    {
        Subcommands.Add(new TopicsCreateCommand());
        Subcommands.Add(new TopicsListCommand());
        Subcommands.Add(new TopicsDescribeCommand());
        Subcommands.Add(new TopicsDeleteCommand());
        Subcommands.Add(new TopicsAlterCommand());
    }

    /// <summary>Kafka's internal topics (Kafka's <c>Topic.isInternal</c>); <c>--exclude-internal</c> hides them.</summary>
    public static bool IsInternal(string topic) =>
        topic is "__consumer_offsets" or "__transaction_state" or "__share_group_state";
}
