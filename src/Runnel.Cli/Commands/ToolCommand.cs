using System.CommandLine;
using Confluent.Kafka;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary>
/// Base of every tool command: binds the action and turns expected failures (<see cref="ToolException"/>,
/// <see cref="KafkaException"/>, Ctrl+C) into one line on stderr and an exit code, as Kafka's tools do.
/// </summary>
internal abstract class ToolCommand : Command
{
    /// <summary>Exit code after Ctrl+C, as a shell reports for SIGINT.</summary>
    public const int InterruptedExitCode = 130;

    protected ToolCommand(string name, string description)
        : base(name, description)
    {
        SetAction(InvokeAsync);
    }

    /// <summary>Runs the command; <paramref name="output"/> and <paramref name="error"/> are the invocation's writers.</summary>
    protected abstract Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken);

    private async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        // The tools block (Flush, Consume, stdin). Yield first so System.CommandLine has our task and
        // its SIGINT/SIGTERM handler in place: Ctrl+C then cancels the token instead of killing the process.
        await Task.Yield();

        TextWriter output = parseResult.InvocationConfiguration.Output;
        TextWriter error = parseResult.InvocationConfiguration.Error;
        try
        {
            return await ExecuteAsync(parseResult, output, error, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return InterruptedExitCode;
        }
        catch (ToolException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        catch (KafkaException e)
        {
            await error.WriteLineAsync($"Error: {e.Error.Code}: {e.Error.Reason}");
            return 1;
        }
    }
}
