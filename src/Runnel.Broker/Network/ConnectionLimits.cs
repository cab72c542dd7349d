namespace Runnel.Broker.Network;

/// <summary>
/// Limits that protect the broker from clients, in one place (Kestrel's KestrelServerLimits idea).
/// Kafka's names: <c>socket.request.max.bytes</c>, <c>max.connections</c>, <c>connections.max.idle.ms</c>.
/// </summary>
public sealed record ConnectionLimits
{
    /// <summary>Largest request frame accepted; checked from the 4-byte size before any buffering.</summary>
    public int SocketRequestMaxBytes { get; init; } = 104_857_600;

    /// <summary>Connections beyond this are accepted and closed at once.</summary>
    public int MaxConnections { get; init; } = int.MaxValue;

    /// <summary>A connection with no request for this long is closed.</summary>
    public TimeSpan ConnectionsMaxIdle { get; init; } = TimeSpan.FromMilliseconds(600_000);
}
