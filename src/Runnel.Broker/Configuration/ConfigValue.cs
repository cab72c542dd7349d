namespace Runnel.Broker.Configuration;

/// <summary>
/// One broker config's value in one layer (or the winning one): the text as given, the parsed
/// value, Kafka's source id and a human-readable origin. <see cref="ToString"/> hides sensitive values.
/// </summary>
/// <param name="Definition">The config.</param>
/// <param name="RawValue">The text as given (the formatted default for <see cref="ConfigSource.DefaultConfig"/>); null when unset.</param>
/// <param name="Value">The parsed value; null when the config is unset and has no default.</param>
/// <param name="Source">Which layer supplied it.</param>
/// <param name="Origin">Where it came from: <c>default</c>, <c>server.properties:12</c>, <c>environment variable RUNNEL_LOG_DIRS</c>, <c>--override</c>, <c>options</c>, <c>AlterConfigs</c>.</param>
public sealed record ConfigValue(ConfigDefinition Definition, string? RawValue, object? Value, ConfigSource Source, string Origin)
{
    /// <summary>The config's name.</summary>
    public string Name => Definition.Name;

    /// <summary>The normalised value text (<see cref="ConfigDefinition.FormatValue"/>), or null when unset. Secrets included: hide them yourself.</summary>
    public string? ValueString => ConfigDefinition.FormatValue(Definition.Type, Value);

    /// <summary>The value text safe to log or show: <c>[hidden]</c> for sensitive configs.</summary>
    public string? DisplayValue => Definition.Sensitive && Value is not null ? ConfigPassword.Hidden : ValueString;

    /// <inheritdoc/>
    public override string ToString() => $"{Name}={DisplayValue ?? "null"} ({Origin})";
}
