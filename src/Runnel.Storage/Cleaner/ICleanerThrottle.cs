namespace Runnel.Storage.Cleaner;

/// <summary>
/// The I/O rate limit hook (Kafka's <c>Throttler</c> for <c>log.cleaner.io.max.bytes.per.second</c>):
/// the cleaner reports every read and write; an implementation may block the cleaner's thread to keep
/// the rate down. The cleaner runs on its own thread, so blocking there delays nothing else.
/// </summary>
public interface ICleanerThrottle
{
    /// <summary>Accounts <paramref name="bytes"/>; may wait, and throws <see cref="OperationCanceledException"/> if <paramref name="cancellationToken"/> fires meanwhile.</summary>
    void OnBytes(long bytes, CancellationToken cancellationToken);
}
