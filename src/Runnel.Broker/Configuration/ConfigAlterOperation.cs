namespace Runnel.Broker.Configuration;

/// <summary>One IncrementalAlterConfigs entry: a key, an operation and its value (null for DELETE).</summary>
/// <param name="Name">The config name.</param>
/// <param name="Operation">What to do.</param>
/// <param name="Value">The value for SET, or the comma-separated elements for APPEND/SUBTRACT.</param>
public sealed record ConfigAlterOperation(string Name, AlterConfigOpType Operation, string? Value);
