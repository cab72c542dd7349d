namespace Runnel.Broker.Configuration;

/// <summary>One synonym of a described config (DescribeConfigs v1+ <c>Synonyms</c>): a config that could supply its value, and from where.</summary>
/// <param name="Name">The topic or broker config name.</param>
/// <param name="Value">Its value text; null for sensitive configs.</param>
/// <param name="Source">The layer that sets it.</param>
public sealed record DescribedSynonym(string Name, string? Value, ConfigSource Source);
