using System.Diagnostics.Metrics;

namespace Runnel.Broker.Network;

/// <summary>Connection and request counters, published on the broker's meter.</summary>
public sealed class BrokerNetworkMetrics
{
    private readonly Counter<long> _connectionsAccepted;
    private readonly Counter<long> _connectionsRejected;
    private readonly Counter<long> _badRequests;
    private readonly Counter<long> _requests;
    private long _active;

    public BrokerNetworkMetrics(Meter meter)
    {
        // The descriptions are the HELP text of the Prometheus endpoint.
        _connectionsAccepted = meter.CreateCounter<long>("runnel.network.connections.accepted",
            description: "Client connections accepted.");
        _connectionsRejected = meter.CreateCounter<long>("runnel.network.connections.rejected",
            description: "Client connections closed on accept because max.connections was reached.");
        _badRequests = meter.CreateCounter<long>("runnel.network.requests.malformed",
            description: "Connections closed for a request the broker could not serve (bad frame, header or version).");
        _requests = meter.CreateCounter<long>("runnel.network.requests",
            description: "Requests received, of every API.");
        meter.CreateObservableGauge("runnel.network.connections.active", () => Interlocked.Read(ref _active),
            description: "Client connections open now.");
    }

    public long ActiveConnections => Interlocked.Read(ref _active);

    public long BadRequestCount => Interlocked.Read(ref _badRequestCount);

    private long _badRequestCount;

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _active);
        _connectionsAccepted.Add(1);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _active);

    public void ConnectionRejected() => _connectionsRejected.Add(1);

    public void BadRequest()
    {
        Interlocked.Increment(ref _badRequestCount);
        _badRequests.Add(1);
    }

    public void Request() => _requests.Add(1);
}
