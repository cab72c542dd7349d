namespace Runnel.Broker.Configuration;

/// <summary>How much a config matters to an operator, as Kafka's documentation ranks them.</summary>
public enum ConfigImportance
{
    /// <summary>Most deployments look at it.</summary>
    High,

    /// <summary>Worth knowing about.</summary>
    Medium,

    /// <summary>Rarely changed.</summary>
    Low,
}
