namespace Runnel.Broker.Configuration;

/// <summary>
/// The parsed value of a <see cref="ConfigType.Password"/> config. <see cref="ToString"/> prints
/// <c>[hidden]</c> so a secret cannot reach a log line or an error message by accident
/// (Kafka's <c>org.apache.kafka.common.config.types.Password</c>).
/// </summary>
public sealed class ConfigPassword : IEquatable<ConfigPassword>
{
    /// <summary>What every sensitive value prints as.</summary>
    public const string Hidden = "[hidden]";

    /// <summary>Wraps a secret.</summary>
    public ConfigPassword(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
    }

    /// <summary>The secret itself; read it only where it is used.</summary>
    public string Value { get; }

    /// <inheritdoc/>
    public override string ToString() => Hidden;

    /// <inheritdoc/>
    public bool Equals(ConfigPassword? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ConfigPassword);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);
}
