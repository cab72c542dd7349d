using Runnel.TestKit;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// The broker process shared by the tests of one class (collection fixture): a
/// <see cref="RunnelBrokerProcess"/> on 127.0.0.1 with an ephemeral port and a temp data dir that is
/// deleted at the end. A derived fixture may fill the data dir before the broker starts
/// (<see cref="PrepareDataDirectoryAsync"/>).
/// </summary>
public class BrokerProcess : IAsyncLifetime
{
    private readonly TempDirectory _dataDir = new("compat-broker");
    private RunnelBrokerProcess? _broker;

    private RunnelBrokerProcess Broker => _broker ?? throw new InvalidOperationException("The broker process is not running.");

    public string Host => Broker.Host;

    public int Port => Broker.Port;

    /// <summary>The advertised address, host:port, as clients bootstrap from it.</summary>
    public string BootstrapServers => Broker.BootstrapServers;

    public async ValueTask InitializeAsync()
    {
        await PrepareDataDirectoryAsync(_dataDir.Path);
        _broker = await RunnelBrokerProcess.StartAsync(_dataDir.Path);
    }

    /// <summary>Writes what the broker must find at startup into its (empty) data directory; nothing by default.</summary>
    protected virtual Task PrepareDataDirectoryAsync(string dataDirectory) => Task.CompletedTask;

    /// <summary>The broker's command line, state and the tail of its output, for failure messages.</summary>
    public string DescribeOutput(int maxLines = 200) => _broker?.DescribeOutput(maxLines) ?? "(broker process not started)";

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _dataDir.Dispose();
    }
}
