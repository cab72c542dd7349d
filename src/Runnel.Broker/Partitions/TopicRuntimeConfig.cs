using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Broker.Partitions;

/// <summary>
/// A topic's effective configuration in the typed form the data path uses, resolved from the
/// topic's overrides and the broker defaults. Immutable; replaced when configs change.
/// </summary>
public sealed record TopicRuntimeConfig
{
    public LogConfig Log { get; init; } = LogConfig.Default;

    /// <summary><c>max.message.bytes</c>: the largest record batch accepted.</summary>
    public int MaxMessageBytes { get; init; } = 1_048_588;

    /// <summary><c>cleanup.policy</c> contains <c>compact</c>.</summary>
    public bool IsCompacted { get; init; }

    /// <summary><c>cleanup.policy</c> contains <c>delete</c>.</summary>
    public bool IsDeletePolicy { get; init; } = true;

    /// <summary><c>message.timestamp.type</c>.</summary>
    public TimestampType TimestampType { get; init; } = TimestampType.CreateTime;

    /// <summary><c>message.timestamp.before.max.ms</c>.</summary>
    public long TimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary><c>message.timestamp.after.max.ms</c>.</summary>
    public long TimestampAfterMaxMs { get; init; } = 3_600_000;

    /// <summary><c>min.insync.replicas</c>: with one replica, any value above 1 fails acks=-1 produces.</summary>
    public int MinInSyncReplicas { get; init; } = 1;
}
