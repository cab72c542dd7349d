namespace Runnel.Broker.Configuration;

/// <summary>Why a config was refused; <see cref="ConfigError.ErrorCode"/> turns it into Kafka's error code.</summary>
public enum ConfigErrorKind
{
    /// <summary>The scope has no config of that name.</summary>
    UnknownName,

    /// <summary>The value does not parse, fails its validator, or conflicts with another config.</summary>
    InvalidValue,

    /// <summary>A null value where one is required.</summary>
    NullValue,

    /// <summary>An AlterConfigs request named the same key twice.</summary>
    DuplicateName,

    /// <summary>APPEND or SUBTRACT on a config that is not a list.</summary>
    NotListType,

    /// <summary>A read-only broker config in an AlterConfigs request.</summary>
    NotDynamic,

    /// <summary>A per-broker config sent to the cluster-default resource (empty name).</summary>
    PerBrokerOnly,

    /// <summary>The broker resource name is neither empty nor this node's id.</summary>
    WrongBroker,

    /// <summary>A malformed input line or argument (a <c>--override</c> without <c>=</c>, a bad escape in <c>server.properties</c>).</summary>
    Malformed,
}
