namespace Runnel.Broker.Configuration;

/// <summary>
/// A configuration value's type, as Kafka's <c>ConfigDef.Type</c> names them. The numeric values are
/// the <c>ConfigType</c> ids DescribeConfigs v3+ puts on the wire (KIP-569), so a handler can cast.
/// Kafka's CLASS type (8) has no Runnel config and is left out.
/// </summary>
public enum ConfigType : byte
{
    /// <summary><c>true</c> or <c>false</c>, case-insensitive.</summary>
    Boolean = 1,

    /// <summary>Free text, trimmed.</summary>
    String = 2,

    /// <summary>A 32-bit signed integer.</summary>
    Int = 3,

    /// <summary>A 16-bit signed integer.</summary>
    Short = 4,

    /// <summary>A 64-bit signed integer.</summary>
    Long = 5,

    /// <summary>A double-precision number.</summary>
    Double = 6,

    /// <summary>Comma-separated strings, each trimmed; an empty value is the empty list.</summary>
    List = 7,

    /// <summary>Text that is never printed, logged or described (<see cref="ConfigPassword"/>).</summary>
    Password = 9,
}
