namespace Runnel.Broker.Configuration;

/// <summary>
/// Where a config value came from. The numeric values are Kafka's <c>ConfigSource</c> ids, which
/// DescribeConfigs v1+ returns per entry and per synonym.
/// </summary>
public enum ConfigSource : sbyte
{
    /// <summary>A topic's own override (set by CreateTopics or an AlterConfigs request).</summary>
    DynamicTopicConfig = 1,

    /// <summary>Set by AlterConfigs on this broker's resource (resource name = node id).</summary>
    DynamicBrokerConfig = 2,

    /// <summary>Set by AlterConfigs as the cluster-wide broker default (empty resource name).</summary>
    DynamicDefaultBrokerConfig = 3,

    /// <summary>From <c>server.properties</c>, a <c>RUNNEL_</c> environment variable or <c>--override</c>.</summary>
    StaticBrokerConfig = 4,

    /// <summary>The registry's default.</summary>
    DefaultConfig = 5,
}
