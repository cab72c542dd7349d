using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Pipeline;

/// <summary>Log messages of the request pipeline (event ids 2100–2199).</summary>
internal static partial class Log
{
    [LoggerMessage(2100, LogLevel.Debug, "Connection {ConnectionId}: malformed request header: {Reason}")]
    public static partial void MalformedHeader(ILogger logger, long connectionId, string reason);

    [LoggerMessage(2101, LogLevel.Debug, "Connection {ConnectionId} client {ClientId}: no handler for API key {ApiKey} v{ApiVersion}; closing")]
    public static partial void NoHandler(ILogger logger, long connectionId, string? clientId, short apiKey, short apiVersion);

    [LoggerMessage(2102, LogLevel.Debug, "Connection {ConnectionId} client {ClientId}: API key {ApiKey} v{ApiVersion} is not a served version")]
    public static partial void UnsupportedVersion(ILogger logger, long connectionId, string? clientId, short apiKey, short apiVersion);

    [LoggerMessage(2103, LogLevel.Debug, "Connection {ConnectionId} client {ClientId}: malformed API key {ApiKey} v{ApiVersion} body: {Reason}")]
    public static partial void MalformedBody(ILogger logger, long connectionId, string? clientId, short apiKey, short apiVersion, string reason);
}
