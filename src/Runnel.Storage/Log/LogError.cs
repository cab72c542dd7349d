namespace Runnel.Storage.Log;

/// <summary>
/// Expected outcomes of log operations, returned as values (the broker translates them to Kafka
/// error codes in one place).
/// </summary>
public enum LogError
{
    None = 0,

    /// <summary>The requested offset is below the log start offset or above the log end offset (Kafka OFFSET_OUT_OF_RANGE, 1).</summary>
    OffsetOutOfRange,
}
