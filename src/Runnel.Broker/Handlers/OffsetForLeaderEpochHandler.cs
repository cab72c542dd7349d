using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers;

/// <summary>
/// OffsetForLeaderEpoch (key 23), versions 2–4 (Kafka 4.0 removed 0–1). Clients use it to check
/// their position after a leader change (KIP-320); librdkafka and the Java consumer call it as soon
/// as Metadata reports leader epochs. On one node the only epoch is 0 and its end offset is the log
/// end offset; an epoch newer than ours is answered with undefined epoch and offset (-1, -1), as
/// Kafka does. v3 adds the replica id (followers), v4 is flexible.
/// </summary>
public sealed class OffsetForLeaderEpochHandler : RequestHandler<OffsetForLeaderEpochRequest>
{
    private readonly PartitionRegistry _partitions;

    public OffsetForLeaderEpochHandler(PartitionRegistry partitions)
    {
        _partitions = partitions;
    }

    public override ApiKey ApiKey => ApiKey.OffsetForLeaderEpoch;

    public override short MinVersion => 2;

    public override short MaxVersion => 4;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, OffsetForLeaderEpochRequest request)
    {
        var response = new OffsetForLeaderEpochResponse();
        foreach (var topic in request.Topics)
        {
            var topicResult = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            response.Topics.Add(topicResult);
            foreach (var p in topic.Partitions)
            {
                var result = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = p.Partition };
                topicResult.Partitions.Add(result);
                if (!_partitions.TryGet(topic.Topic, p.Partition, out var partition))
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                }
                else if (p.CurrentLeaderEpoch >= 0 && p.CurrentLeaderEpoch != partition.LeaderEpoch)
                {
                    result.ErrorCode = (short)(p.CurrentLeaderEpoch > partition.LeaderEpoch ? ErrorCode.UnknownLeaderEpoch : ErrorCode.FencedLeaderEpoch);
                }
                else if (partition.Log.IsOffline)
                {
                    result.ErrorCode = (short)ErrorCode.KafkaStorageError;
                }
                else if (p.LeaderEpoch <= partition.LeaderEpoch)
                {
                    // Every record was written in epoch 0, so any epoch up to ours ends at the log end.
                    result.LeaderEpoch = partition.LeaderEpoch;
                    result.EndOffset = partition.Log.LogEndOffset;
                }
            }
        }

        return new ValueTask<IApiMessage?>(response);
    }
}
