using System.Globalization;
using Runnel.Broker.Configuration;

namespace Runnel.Broker;

/// <summary>
/// A Runnel broker running inside this process: the same broker as <c>runnel broker</c>, started
/// in milliseconds on an ephemeral port with a temporary data directory, for tests and apps.
/// <code>
/// await using var broker = await RunnelBroker.StartAsync();
/// var producer = new ProducerBuilder&lt;string, string&gt;(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
/// </code>
/// </summary>
public sealed class RunnelBroker : IAsyncDisposable
{
    private readonly bool _ownsDataDirectory;

    private RunnelBroker(BrokerHost host, string dataDirectory, bool ownsDataDirectory)
    {
        Host = host;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        var listener = host.Listeners[0];
        Port = listener.BoundEndPoint.Port;
        BootstrapServers = $"{listener.AdvertisedHost}:{listener.AdvertisedPort.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The running broker.</summary>
    public BrokerHost Host { get; }

    /// <summary>The bound port.</summary>
    public int Port { get; }

    /// <summary><c>host:port</c> for a client's <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>The log directory.</summary>
    public string DataDirectory { get; }

    /// <summary>Starts a broker with <paramref name="options"/> (defaults: 127.0.0.1, a free port, a temporary directory).</summary>
    public static async Task<RunnelBroker> StartAsync(RunnelBrokerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RunnelBrokerOptions();
        var owns = options.DataDirectory is null;
        var dataDirectory = options.DataDirectory ?? Directory.CreateTempSubdirectory("runnel-").FullName;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["listeners"] = $"PLAINTEXT://{options.Host}:{options.Port.ToString(CultureInfo.InvariantCulture)}",
            ["log.dirs"] = dataDirectory,
        };
        foreach (var (key, value) in options.Config)
        {
            properties[key] = value;
        }

        var config = BrokerConfig.FromProperties(properties);
        try
        {
            var host = await BrokerHost.StartAsync(config, options.LoggerFactory, options.TimeProvider, fileSystem: null, cancellationToken);
            return new RunnelBroker(host, dataDirectory, owns);
        }
        catch when (owns)
        {
            TryDeleteDirectory(dataDirectory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        if (_ownsDataDirectory)
        {
            TryDeleteDirectory(DataDirectory);
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort for a temporary directory.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
