namespace Runnel.Broker.Configuration;

/// <summary>
/// How a broker synonym's value becomes the topic config's value (Kafka's <c>ConfigSynonym</c>
/// converters: <c>log.retention.hours</c> is hours, <c>retention.ms</c> milliseconds).
/// </summary>
public enum SynonymConversion
{
    /// <summary>Same unit: only the number's width may change.</summary>
    None,

    /// <summary>Minutes to milliseconds.</summary>
    MinutesToMilliseconds,

    /// <summary>Hours to milliseconds.</summary>
    HoursToMilliseconds,
}
