using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Metadata;

/// <summary>Log messages of topic metadata (event ids 2200–2299).</summary>
internal static partial class Log
{
    [LoggerMessage(2200, LogLevel.Information, "Created topic {Topic} with {PartitionCount} partition(s)")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitionCount);

    [LoggerMessage(2201, LogLevel.Information, "Deleted topic {Topic}")]
    public static partial void TopicDeleted(ILogger logger, string topic);

    [LoggerMessage(2202, LogLevel.Warning, "Deleting log {Topic}-{Partition}: no topic in the metadata names it (left by an interrupted create or delete)")]
    public static partial void DeletingOrphanLog(ILogger logger, string topic, int partition);
}
