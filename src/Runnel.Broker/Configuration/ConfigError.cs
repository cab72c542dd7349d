namespace Runnel.Broker.Configuration;

/// <summary>
/// One refused config: the key (or the input it came from, for malformed input), why, and where the
/// value came from. Produced by startup validation (collected into one <see cref="ConfigException"/>)
/// and by CreateTopics / AlterConfigs validation (returned as values, never thrown).
/// </summary>
/// <param name="Name">The config key, or the malformed input.</param>
/// <param name="Kind">The category, which decides the Kafka error code.</param>
/// <param name="Message">Kafka-style text, e.g. "Invalid value abc for configuration retention.ms: Not a number of type LONG".</param>
/// <param name="Origin">Where the value came from (<c>server.properties:12</c>, <c>environment variable RUNNEL_LOG_DIRS</c>, <c>--override</c>), if known.</param>
public sealed record ConfigError(string Name, ConfigErrorKind Kind, string Message, string? Origin = null)
{
    /// <summary>Kafka's <c>INVALID_CONFIG</c>.</summary>
    public const short InvalidConfig = 40;

    /// <summary>Kafka's <c>INVALID_REQUEST</c>.</summary>
    public const short InvalidRequest = 42;

    /// <summary>
    /// The Kafka error code for this error, the one place config errors become codes. Unknown names,
    /// bad values and APPEND/SUBTRACT on a non-list are <c>INVALID_CONFIG</c> (40), as Kafka's
    /// controller answers. Requests malformed as a whole (duplicate keys, null values, another
    /// broker's id, a malformed input) and changes to read-only or per-broker-only broker configs are
    /// <c>INVALID_REQUEST</c> (42), as Kafka's ConfigAdminManager answers. (Kafka also answers a bad
    /// broker value with 42, a wart KAFKA-13609 records; Runnel answers 40 there, like for topics.)
    /// </summary>
    public short ErrorCode => Kind switch
    {
        ConfigErrorKind.NullValue or ConfigErrorKind.DuplicateName or ConfigErrorKind.WrongBroker
            or ConfigErrorKind.NotDynamic or ConfigErrorKind.PerBrokerOnly or ConfigErrorKind.Malformed => InvalidRequest,
        _ => InvalidConfig,
    };

    /// <inheritdoc/>
    public override string ToString() => Origin is null ? $"{Name}: {Message}" : $"{Name}: {Message} (from {Origin})";
}
