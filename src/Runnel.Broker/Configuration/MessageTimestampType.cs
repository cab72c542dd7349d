namespace Runnel.Broker.Configuration;

/// <summary>A topic's <c>message.timestamp.type</c>.</summary>
public enum MessageTimestampType
{
    /// <summary>Keep the producer's timestamps (checked against the before/after limits).</summary>
    CreateTime,

    /// <summary>Overwrite batch timestamps with the broker's clock at append.</summary>
    LogAppendTime,
}
