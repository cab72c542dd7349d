using Runnel.Broker.Configuration;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Broker.Partitions;

/// <summary>Turns a topic's resolved configuration into the typed settings of its logs and produce path.</summary>
public static class TopicRuntimeConfigFactory
{
    public static TopicRuntimeConfig Create(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides)
    {
        var resolved = TopicConfigResolver.Resolve(broker, overrides);
        return new TopicRuntimeConfig
        {
            Log = new LogConfig
            {
                SegmentBytes = resolved.SegmentBytes,
                SegmentMs = resolved.SegmentMs,
                SegmentJitterMs = resolved.SegmentJitterMs,
                SegmentIndexBytes = resolved.SegmentIndexBytes,
                IndexIntervalBytes = resolved.IndexIntervalBytes,
                RetentionMs = resolved.CleanupPolicyDelete ? resolved.RetentionMs : -1,
                RetentionBytes = resolved.CleanupPolicyDelete ? resolved.RetentionBytes : -1,
                FlushMessages = resolved.FlushMessages,
                FlushMs = resolved.FlushMs,
                FileDeleteDelayMs = resolved.FileDeleteDelayMs,
                FlushOnAcks = resolved.FlushOnAcksAll,
                Preallocate = resolved.Preallocate,
                Compact = resolved.CleanupPolicyCompact,
                DeleteRetentionMs = resolved.DeleteRetentionMs,
                MinCompactionLagMs = resolved.MinCompactionLagMs,
                MaxCompactionLagMs = resolved.MaxCompactionLagMs,
                MinCleanableDirtyRatio = resolved.MinCleanableDirtyRatio,
            },
            MaxMessageBytes = resolved.MaxMessageBytes,
            IsCompacted = resolved.CleanupPolicyCompact,
            IsDeletePolicy = resolved.CleanupPolicyDelete,
            TimestampType = resolved.MessageTimestampType == MessageTimestampType.LogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
            TimestampBeforeMaxMs = resolved.MessageTimestampBeforeMaxMs,
            TimestampAfterMaxMs = resolved.MessageTimestampAfterMaxMs,
            MinInSyncReplicas = resolved.MinInSyncReplicas,
        };
    }
}
