using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Storage.Log;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// DeleteRecords (key 21), versions 0–2 (KIP-107). v1 same as v0 (responses before throttling);
/// v2 flexible.
/// </summary>
/// <remarks>
/// <para>Moves each partition's log start offset to the requested offset and deletes the segments
/// wholly below it (Kafka's <c>ReplicaManager.deleteRecordsOnLocalLog</c> and
/// <c>Partition.deleteRecordsOnLeader</c>, in their order): internal topics are
/// INVALID_TOPIC_EXCEPTION; unknown topics or partitions UNKNOWN_TOPIC_OR_PARTITION; a topic whose
/// <c>cleanup.policy</c> lacks <c>delete</c> POLICY_VIOLATION; offset -1 means the high watermark;
/// an offset below -1 or above the high watermark is OFFSET_OUT_OF_RANGE; an offline log
/// KAFKA_STORAGE_ERROR. A failed partition reports low watermark -1. The start offset never moves
/// backwards: asking for an offset below it succeeds and reports the current start. With one replica
/// there is nothing to wait for, so TimeoutMs is not used. A partition named twice is answered once,
/// for the last offset given (Kafka keys the request by partition).</para>
/// <para>Not supported: authorization (TOPIC_AUTHORIZATION_FAILED).</para>
/// </remarks>
public sealed class DeleteRecordsHandler : RequestHandler<DeleteRecordsRequest>
{
    private const long HighWatermarkOffset = -1;
    private const long InvalidLowWatermark = -1;

    private readonly PartitionRegistry _partitions;

    public DeleteRecordsHandler(PartitionRegistry partitions)
    {
        _partitions = partitions;
    }

    public override ApiKey ApiKey => ApiKey.DeleteRecords;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, DeleteRecordsRequest request)
    {
        // Group by topic, then partition, in first-seen order; the last offset given for a partition wins.
        var byTopic = new Dictionary<string, DeleteRecordsResponse.DeleteRecordsTopicResult>(StringComparer.Ordinal);
        var offsets = new Dictionary<(string Topic, int Partition), long>();
        var response = new DeleteRecordsResponse();
        foreach (var topic in request.Topics)
        {
            if (!byTopic.TryGetValue(topic.Name, out var topicResult))
            {
                topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
                byTopic.Add(topic.Name, topicResult);
                response.Topics.Add(topicResult);
            }

            foreach (var partition in topic.Partitions)
            {
                if (!offsets.ContainsKey((topic.Name, partition.PartitionIndex)))
                {
                    topicResult.Partitions.Add(new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = partition.PartitionIndex });
                }

                offsets[(topic.Name, partition.PartitionIndex)] = partition.Offset;
            }
        }

        foreach (var topicResult in response.Topics)
        {
            foreach (var result in topicResult.Partitions)
            {
                var (error, lowWatermark) = Delete(topicResult.Name, result.PartitionIndex, offsets[(topicResult.Name, result.PartitionIndex)]);
                result.ErrorCode = (short)error;
                result.LowWatermark = error == ErrorCode.None ? lowWatermark : InvalidLowWatermark;
            }
        }

        return new ValueTask<IApiMessage?>(response);
    }

    private (ErrorCode Error, long LowWatermark) Delete(string topic, int partitionIndex, long offset)
    {
        if (InternalTopics.IsInternal(topic))
        {
            return (ErrorCode.InvalidTopicException, InvalidLowWatermark);
        }

        if (!_partitions.TryGet(topic, partitionIndex, out var partition))
        {
            return (ErrorCode.UnknownTopicOrPartition, InvalidLowWatermark);
        }

        if (!partition.Config.IsDeletePolicy)
        {
            return (ErrorCode.PolicyViolation, InvalidLowWatermark);
        }

        var log = partition.Log;
        if (log.IsOffline)
        {
            return (ErrorCode.KafkaStorageError, InvalidLowWatermark);
        }

        var target = offset == HighWatermarkOffset ? log.HighWatermark : offset;
        if (target < 0)
        {
            return (ErrorCode.OffsetOutOfRange, InvalidLowWatermark);
        }

        try
        {
            var deleted = log.DeleteRecordsBefore(target);
            return deleted.Error switch
            {
                LogError.None => (ErrorCode.None, deleted.LowWatermark),
                LogError.OffsetOutOfRange => (ErrorCode.OffsetOutOfRange, InvalidLowWatermark),
                _ => (ErrorCode.UnknownServerError, InvalidLowWatermark),
            };
        }
        catch (LogOfflineException)
        {
            return (ErrorCode.KafkaStorageError, InvalidLowWatermark);
        }
        catch (ObjectDisposedException)
        {
            // The topic was deleted while this request ran.
            return (ErrorCode.UnknownTopicOrPartition, InvalidLowWatermark);
        }
    }
}
