namespace Runnel.Storage.Log;

/// <summary>
/// Settings of the <see cref="LogManager"/>, with Kafka's broker-level names in the docs. Immutable.
/// </summary>
public sealed record LogManagerOptions
{
    /// <summary>Config for logs found on disk until the broker applies the topic's own (<see cref="PartitionLog.UpdateConfig"/>).</summary>
    public LogConfig DefaultLogConfig { get; init; } = LogConfig.Default;

    /// <summary><c>log.retention.check.interval.ms</c> (5 minutes).</summary>
    public TimeSpan RetentionCheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>log.flush.offset.checkpoint.interval.ms</c>: how often recovery points are checkpointed (60 s).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>log.flush.start.offset.checkpoint.interval.ms</c>: how often log start offsets are checkpointed (60 s).</summary>
    public TimeSpan LogStartOffsetCheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>log.flush.scheduler.interval.ms</c>: how often logs are checked against <c>flush.ms</c>.
    /// Kafka's default is Long.MaxValue (never); <see cref="Timeout.InfiniteTimeSpan"/> or any value
    /// of a year or more means never here.
    /// </summary>
    public TimeSpan FlushSchedulerInterval { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>The log cleaner's settings (<c>log.cleaner.*</c>); null when <c>log.cleaner.enable</c> is false, so compacted logs are not compacted.</summary>
    public Cleaner.CleanerOptions? Cleaner { get; init; } = Runnel.Storage.Cleaner.CleanerOptions.Default;

    /// <summary><c>producer.id.expiration.check.interval.ms</c> (10 minutes): how often idle producer ids are forgotten.</summary>
    public TimeSpan ProducerIdExpirationCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>producer.id.expiration.ms</c> (1 day) at start-up; <see cref="LogManager.ProducerIdExpiration"/> takes later changes.</summary>
    public TimeSpan ProducerIdExpiration { get; init; } = TimeSpan.FromDays(1);

    /// <summary><c>num.recovery.threads.per.data.dir</c>: logs loaded in parallel per directory (Kafka: 2).</summary>
    public int RecoveryThreadsPerDataDir { get; init; } = 2;
}
