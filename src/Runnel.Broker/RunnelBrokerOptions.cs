using Microsoft.Extensions.Logging;

namespace Runnel.Broker;

/// <summary>Options of an embedded broker (<see cref="RunnelBroker.StartAsync"/>).</summary>
public sealed record RunnelBrokerOptions
{
    /// <summary>Address to listen on. Default 127.0.0.1.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port to listen on; 0 (the default) picks a free port, reported by <see cref="RunnelBroker.Port"/>.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Where the log lives. Null (the default) creates a fresh temporary directory that is deleted
    /// when the broker is disposed; a given directory is kept.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>Any broker configuration by Kafka's key (e.g. <c>auto.create.topics.enable</c>), applied last.</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the broker logs; null logs nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock; tests may pass a fake.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
