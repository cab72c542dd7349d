using Microsoft.Extensions.Logging;

namespace Runnel.Broker;

/// <summary>Broker lifecycle log messages (event ids 2900–2999).</summary>
internal static partial class Log
{
    [LoggerMessage(2900, LogLevel.Information, "Runnel broker {NodeId} started (cluster {ClusterId}), listening on {Listeners}")]
    public static partial void Started(ILogger logger, int nodeId, string clusterId, string listeners);

    [LoggerMessage(2901, LogLevel.Information, "Runnel broker stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(2902, LogLevel.Information, "Runnel broker stopped cleanly")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(2903, LogLevel.Information, "Log cleaner restarted with new settings ({Threads} threads; 0: cleaning off)")]
    public static partial void CleanerReconfigured(ILogger logger, int threads);
}
