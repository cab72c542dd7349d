using Runnel.Broker.Configuration;
using Runnel.Storage.Cleaner;

namespace Runnel.Broker.Partitions;

/// <summary>Turns the broker's <c>log.cleaner.*</c> settings into the log cleaner's options.</summary>
public static class CleanerOptionsFactory
{
    /// <summary>The values <see cref="Create"/> reads, comparable: a dynamic change restarts the cleaner only when they differ.</summary>
    public static string SettingsKey(BrokerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return string.Join('|', config.LogCleanerEnable, config.LogCleanerThreads, config.LogCleanerBackoffMs, config.LogCleanerDedupeBufferSize,
            config.LogCleanerIoBufferLoadFactor, config.LogCleanerIoBufferSize, config.LogCleanerIoMaxBytesPerSecond);
    }

    /// <summary>The cleaner's options, or null when <c>log.cleaner.enable</c> is false or <c>log.cleaner.threads</c> is 0.</summary>
    public static CleanerOptions? Create(BrokerConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        var threads = config.LogCleanerThreads;
        if (!config.LogCleanerEnable || threads == 0)
        {
            return null;
        }

        var maxRate = config.LogCleanerIoMaxBytesPerSecond;
        return new CleanerOptions
        {
            Threads = threads,
            Backoff = TimeSpan.FromMilliseconds(config.LogCleanerBackoffMs),
            DedupeBufferSize = config.LogCleanerDedupeBufferSize,
            DedupeBufferLoadFactor = config.LogCleanerIoBufferLoadFactor,
            // Kafka splits the I/O buffer memory between the threads and between reading and writing.
            IoBufferSize = Math.Max(4096, config.LogCleanerIoBufferSize / threads / 2),
            Throttle = maxRate is > 0 and < double.MaxValue ? new CleanerIoThrottle(maxRate, time) : null,
        };
    }
}
