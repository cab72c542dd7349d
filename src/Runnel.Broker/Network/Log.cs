using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Network;

/// <summary>Log messages of the network layer (event ids 2000–2099).</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Debug, "Connection {ConnectionId} (client {ClientId}) closed: {Reason}")]
    public static partial void ClosingBadRequest(ILogger logger, long connectionId, string? clientId, string reason);

    [LoggerMessage(2001, LogLevel.Debug, "Connection {ConnectionId} closed after being idle longer than connections.max.idle.ms")]
    public static partial void IdleTimeout(ILogger logger, long connectionId);

    [LoggerMessage(2002, LogLevel.Debug, "Connection {ConnectionId} I/O error: {Reason}")]
    public static partial void ConnectionError(ILogger logger, long connectionId, string reason);

    [LoggerMessage(2003, LogLevel.Information, "Listening on {Listener} {EndPoint}")]
    public static partial void Listening(ILogger logger, string listener, string endPoint);

    [LoggerMessage(2004, LogLevel.Warning, "Rejected connection from {RemoteEndPoint}: max.connections ({MaxConnections}) reached")]
    public static partial void TooManyConnections(ILogger logger, string? remoteEndPoint, int maxConnections);

    [LoggerMessage(2005, LogLevel.Error, "Connection {ConnectionId} failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(2006, LogLevel.Debug, "Connection {ConnectionId} opened from {RemoteEndPoint}")]
    public static partial void ConnectionOpened(ILogger logger, long connectionId, string? remoteEndPoint);
}
