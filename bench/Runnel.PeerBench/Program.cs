using System.CommandLine;
using Runnel.PeerBench.Commands;

namespace Runnel.PeerBench;

/// <summary>
/// <c>peerbench</c>: the .NET side of <c>bench/run.sh</c>, which compares Runnel with the systems
/// users would pick instead. It drives the peers that have no ready-made load tool here (NATS
/// JetStream, RabbitMQ streams), reads every driver's output into a samples file, and turns the
/// samples into the results table. See bench/README.md.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CreateRootCommand().Parse(args).InvokeAsync();

    internal static RootCommand CreateRootCommand()
    {
        RootCommand root = new("Peer benchmark drivers and result aggregation for bench/run.sh.");
        root.Subcommands.Add(DriverCommand.Produce());
        root.Subcommands.Add(DriverCommand.Consume());
        root.Subcommands.Add(DriverCommand.EndToEnd());
        root.Subcommands.Add(new ParseCommand());
        root.Subcommands.Add(new AggregateCommand());
        return root;
    }
}
