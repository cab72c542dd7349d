using System.CommandLine;
using Runnel.Cli.Commands;
using Runnel.TestKit;

namespace Runnel.Cli.Tests.EndToEnd;

/// <summary>Runs <c>runnel</c> commands in-process with captured stdout and stderr.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(string? stdin, params string[] args)
    {
        ParseResult parseResult = Program.Parse(args);
        Assert.True(parseResult.Errors.Count == 0, string.Join("; ", parseResult.Errors.Select(e => e.Message)));
        if (stdin is not null)
        {
            // The seam ProduceCommand has for tests; otherwise it reads Console.In.
            Assert.IsType<ProduceCommand>(parseResult.CommandResult.Command).Input = new StringReader(stdin);
        }

        using StringWriter output = new();
        using StringWriter error = new();
        InvocationConfiguration configuration = new()
        {
            Output = output,
            Error = error,
            ProcessTerminationTimeout = null,
        };

        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(CliBrokerFixture.CommandTimeout);
        int exitCode = await Eventually.WithinAsync(
            parseResult.InvokeAsync(configuration, deadline.Token),
            "runnel " + string.Join(' ', args),
            CliBrokerFixture.CommandTimeout + TimeSpan.FromSeconds(10));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
