namespace Runnel.Storage.Log;

/// <summary>
/// The log (or its whole log directory) stopped after a failed write or fsync and accepts no more
/// appends or reads until the broker restarts (fail-stop). The broker answers KAFKA_STORAGE_ERROR (56).
/// </summary>
public sealed class LogOfflineException : IOException
{
    public LogOfflineException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public LogOfflineException(string message)
        : base(message)
    {
    }

    public LogOfflineException()
        : base("The log is offline.")
    {
    }

    public LogOfflineException(TopicPartition topicPartition, Exception? cause)
        : base($"Log {topicPartition} is offline after a storage failure: {cause?.Message ?? "marked offline"}", cause)
    {
    }
}
