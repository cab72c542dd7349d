namespace Runnel.Cli.Kafka;

/// <summary>
/// A failure a tool reports to the user as one line on stderr with exit code 1 (bad input, a missing
/// file, a Kafka error already described in our words). Anything else is a bug and keeps its stack trace.
/// </summary>
internal sealed class ToolException : Exception
{
    public ToolException(string message)
        : base(message)
    {
    }

    public ToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ToolException()
    {
    }
}
