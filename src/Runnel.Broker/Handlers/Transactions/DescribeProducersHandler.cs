using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Storage.Log;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>
/// DescribeProducers (key 61), version 0 (KIP-664, what <c>kafka-transactions.sh describe-producers</c>
/// shows): per partition every producer the partition keeps state for, with its epoch, last
/// sequence, last timestamp, the coordinator epoch of its last marker and the first offset of its
/// open transaction (-1 for none). An unknown partition is UNKNOWN_TOPIC_OR_PARTITION; an offline log
/// KAFKA_STORAGE_ERROR.
/// </summary>
public sealed class DescribeProducersHandler(PartitionRegistry partitions) : RequestHandler<DescribeProducersRequest>
{
    public override ApiKey ApiKey => ApiKey.DescribeProducers;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, DescribeProducersRequest request)
    {
        var response = new DescribeProducersResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new DescribeProducersResponse.TopicResponse { Name = topic.Name };
            foreach (var index in topic.PartitionIndexes)
            {
                topicResponse.Partitions.Add(Describe(topic.Name, index));
            }

            response.Topics.Add(topicResponse);
        }

        return new ValueTask<IApiMessage?>(response);
    }

    private DescribeProducersResponse.PartitionResponse Describe(string topic, int index)
    {
        var result = new DescribeProducersResponse.PartitionResponse { PartitionIndex = index };
        if (!partitions.TryGet(topic, index, out var partition))
        {
            result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
            return result;
        }

        try
        {
            foreach (var producer in partition.Log.GetProducerStates())
            {
                result.ActiveProducers.Add(new DescribeProducersResponse.ProducerState
                {
                    ProducerId = producer.ProducerId,
                    ProducerEpoch = producer.Epoch,
                    LastSequence = producer.LastSequence ?? -1,
                    LastTimestamp = producer.LastTimestamp,
                    CoordinatorEpoch = producer.CoordinatorEpoch,
                    CurrentTxnStartOffset = producer.CurrentTxnFirstOffset,
                });
            }
        }
        catch (Exception ex) when (ex is LogOfflineException or ObjectDisposedException)
        {
            result.ErrorCode = (short)ErrorCode.KafkaStorageError;
        }

        return result;
    }
}
