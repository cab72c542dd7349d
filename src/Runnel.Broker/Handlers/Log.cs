using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Handlers;

/// <summary>Log messages of the request handlers (event ids 2600–2699).</summary>
internal static partial class Log
{
    [LoggerMessage(2600, LogLevel.Error, "Fetch of {Topic}-{Partition} from offset {Offset} found corrupt data on disk; that partition is answered CORRUPT_MESSAGE")]
    public static partial void FetchFoundCorruptData(ILogger logger, string topic, int partition, long offset, Exception exception);
}
