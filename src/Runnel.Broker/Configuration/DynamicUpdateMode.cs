namespace Runnel.Broker.Configuration;

/// <summary>
/// Whether a broker config may change while the broker runs, following Kafka's
/// <c>DynamicBrokerConfig</c> classification ("Update Mode" in Kafka's broker config reference).
/// Topic configs are always dynamic (per topic) and use <see cref="ReadOnly"/> here.
/// </summary>
public enum DynamicUpdateMode
{
    /// <summary>Only <c>server.properties</c>, the environment or <c>--override</c> set it; a restart applies a change.</summary>
    ReadOnly,

    /// <summary>AlterConfigs may change it for one broker (resource name = node id).</summary>
    PerBroker,

    /// <summary>AlterConfigs may change it for one broker or as the cluster-wide default (empty resource name).</summary>
    ClusterWide,
}
