namespace Runnel.Protocol.Records;

/// <summary>A topic's <c>message.timestamp.type</c>, and attribute bit 3 of a batch.</summary>
public enum TimestampType
{
    /// <summary>Timestamps are the producer's; the broker checks they are within the configured window.</summary>
    CreateTime = 0,

    /// <summary>The broker stamps each batch with its append time.</summary>
    LogAppendTime = 1,
}
