namespace Runnel.Storage.Log;

/// <summary>
/// Data on disk does not match what the format requires, found outside recovery (recovery truncates
/// instead of throwing). Located: <see cref="FilePath"/>, byte <see cref="Position"/>, and what was
/// expected there.
/// </summary>
public sealed class CorruptLogException : IOException
{
    public CorruptLogException(string filePath, long position, string expectation)
        : base($"Corrupt log file {filePath} at position {position}: expected {expectation}.")
    {
        FilePath = filePath;
        Position = position;
        Expectation = expectation;
    }

    public CorruptLogException()
        : this("(unknown)", -1, "valid data")
    {
    }

    public CorruptLogException(string message)
        : base(message)
    {
        FilePath = "(unknown)";
        Position = -1;
        Expectation = message;
    }

    public CorruptLogException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = "(unknown)";
        Position = -1;
        Expectation = message;
    }

    public string FilePath { get; }

    public long Position { get; }

    public string Expectation { get; }
}
