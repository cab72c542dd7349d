using System.CommandLine;

namespace Runnel.Cli.Tests.Commands;

/// <summary>Parses a command line through the real command tree, as <c>runnel</c> does.</summary>
internal static class CommandLine
{
    public static ParseResult Parse(params string[] args) => Program.Parse(args);

    /// <summary>Parses a valid command line and returns the command it selected.</summary>
    public static (TCommand Command, ParseResult Result) ParseValid<TCommand>(params string[] args)
        where TCommand : Command
    {
        ParseResult result = Program.Parse(args);
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors.Select(e => e.Message)));
        return (Assert.IsType<TCommand>(result.CommandResult.Command), result);
    }

    public static string Errors(params string[] args) =>
        string.Join("\n", Program.Parse(args).Errors.Select(e => e.Message));
}
