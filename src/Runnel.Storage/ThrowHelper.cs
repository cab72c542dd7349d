using System.Diagnostics.CodeAnalysis;
using Runnel.Storage.Log;

namespace Runnel.Storage;

/// <summary>
/// Throws for the storage hot paths (append, read, index scans), so those methods stay small and
/// their message formatting is never inlined into them.
/// </summary>
internal static class ThrowHelper
{
    /// <summary>What was wrong with the bytes handed to <see cref="PartitionLog.Append"/>.</summary>
    public enum AppendRejection
    {
        TrailingBytes,
        BatchLengthOutOfBounds,
        NegativeLastOffsetDelta,
        NoBatches,
        ProducerBatchNotAlone,
    }

    [DoesNotReturn]
    public static void ThrowInvalidBatches(AppendRejection reason, int position) =>
        throw new ArgumentException(reason switch
        {
            AppendRejection.TrailingBytes => $"The bytes at position {position} are not a whole batch.",
            AppendRejection.BatchLengthOutOfBounds => $"The batch length at position {position} does not fit the remaining bytes.",
            AppendRejection.NegativeLastOffsetDelta => $"The batch at position {position} has a negative last offset delta.",
            AppendRejection.ProducerBatchNotAlone => $"The batch at position {position} has a producer id; such a batch must be appended alone (as Kafka requires of produce requests v3+).",
            _ => "No batches to append.",
        });

    [DoesNotReturn]
    public static void ThrowCorruptLog(string filePath, long position, string expectation) =>
        throw new CorruptLogException(filePath, position, expectation);

    [DoesNotReturn]
    public static void ThrowBadBatchLength(string filePath, long position, long available, int length) =>
        throw new CorruptLogException(filePath, position,
            $"a batch length between {Protocol.Records.RecordBatchHeader.Size - Protocol.Records.RecordBatchHeader.LogOverhead} and {available - Protocol.Records.RecordBatchHeader.LogOverhead}, found {length}");

    [DoesNotReturn]
    public static void ThrowLogOffline(TopicPartition topicPartition, Exception? cause) =>
        throw new LogOfflineException(topicPartition, cause);
}
