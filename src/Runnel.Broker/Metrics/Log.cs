using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Metrics;

/// <summary>Log messages of the metrics endpoint (event ids 2400–2499).</summary>
internal static partial class Log
{
    [LoggerMessage(2400, LogLevel.Information, "Serving Prometheus metrics on {Endpoint}")]
    public static partial void Serving(ILogger logger, Uri endpoint);

    [LoggerMessage(2401, LogLevel.Debug, "Metrics request from {RemoteEndPoint} answered {StatusCode}: {Reason}")]
    public static partial void BadRequest(ILogger logger, string? remoteEndPoint, int statusCode, string reason);

    [LoggerMessage(2402, LogLevel.Warning, "An observable metric failed while collecting; the scrape leaves out what it did not report")]
    public static partial void ObserveFailed(ILogger logger, Exception exception);

    [LoggerMessage(2403, LogLevel.Error, "Metrics connection from {RemoteEndPoint} failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, string? remoteEndPoint, Exception exception);

    [LoggerMessage(2404, LogLevel.Debug, "Metrics connection from {RemoteEndPoint} closed: {MaxConnections} scrapes are already being served")]
    public static partial void TooManyConnections(ILogger logger, string? remoteEndPoint, int maxConnections);

    [LoggerMessage(2405, LogLevel.Debug, "Metrics connection from {RemoteEndPoint} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string? remoteEndPoint, string reason);
}
