using System.CommandLine;
using Runnel.Cli.Commands;

namespace Runnel.Cli;

/// <summary>
/// The <c>runnel</c> executable: a thin System.CommandLine front end. Every command except
/// <c>broker</c> talks the Kafka protocol through Confluent.Kafka, so it works against any Kafka
/// cluster, not only Runnel.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => Parse(args).InvokeAsync();

    /// <summary>Parses a command line the way <see cref="Main"/> does (tests use this too).</summary>
    internal static ParseResult Parse(IReadOnlyList<string> args)
    {
        // Kafka's tools have no response files; "@value" is an ordinary argument here.
        ParserConfiguration configuration = new() { ResponseFileTokenReplacer = null };
        return CreateRootCommand().Parse(args, configuration);
    }

    /// <summary>The command tree. Registering a command is one line in the block below.</summary>
    internal static RootCommand CreateRootCommand()
    {
        RootCommand root = new("Runnel: a Kafka-compatible broker, and Kafka-style tools that work against any Kafka cluster.");

        // ---- Command registration: one line per command. ----
        root.Subcommands.Add(new BrokerCommand());
        root.Subcommands.Add(new TopicsCommand());
        root.Subcommands.Add(new GroupsCommand());
        root.Subcommands.Add(new ProduceCommand());
        root.Subcommands.Add(new ConsumeCommand());
        root.Subcommands.Add(new PerfCommand());
        root.Subcommands.Add(new DumpLogCommand());
        // ---- End of command registration. ----

        return root;
    }
}
