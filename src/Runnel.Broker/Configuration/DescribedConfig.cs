namespace Runnel.Broker.Configuration;

/// <summary>
/// One entry of a DescribeConfigs result, shaped like Kafka's <c>DescribeConfigsResourceResult</c>
/// so a handler copies fields across for any version 1–4.
/// </summary>
/// <param name="Name">The config name.</param>
/// <param name="Value">The effective value text; null when unset or sensitive.</param>
/// <param name="Source">Where the effective value comes from.</param>
/// <param name="IsReadOnly">True when AlterConfigs cannot change it (read-only broker configs; topic configs never are).</param>
/// <param name="IsSensitive">True for secrets, whose values are never returned.</param>
/// <param name="Type">The config type (v3+ <c>ConfigType</c>).</param>
/// <param name="Synonyms">Every layer and synonym that sets a value, highest priority first; empty unless synonyms were asked for.</param>
/// <param name="Documentation">The one-sentence documentation when asked for (v3+), else null.</param>
public sealed record DescribedConfig(
    string Name,
    string? Value,
    ConfigSource Source,
    bool IsReadOnly,
    bool IsSensitive,
    ConfigType Type,
    IReadOnlyList<DescribedSynonym> Synonyms,
    string? Documentation);
