using Runnel.Broker.Groups;
using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// OffsetDelete (key 47), version 0 (KIP-496): removes a group's committed offsets for chosen
/// partitions. Partitions that do not exist get UNKNOWN_TOPIC_OR_PARTITION (as Kafka checks them
/// against its metadata first); a live consumer group keeps the offsets of topics it consumes
/// (GROUP_SUBSCRIBED_TO_TOPIC per partition).
/// </summary>
public sealed class OffsetDeleteHandler(GroupCoordinator coordinator, PartitionRegistry partitions) : RequestHandler<OffsetDeleteRequest>
{
    public override ApiKey ApiKey => ApiKey.OffsetDelete;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, OffsetDeleteRequest request)
    {
        var known = new List<(string Topic, IReadOnlyList<int> Partitions)>(request.Topics.Count);
        var unknown = new HashSet<(string Topic, int Partition)>();
        foreach (var topic in request.Topics)
        {
            partitions.TryGetTopic(topic.Name, out var topicPartitions);
            var existing = new List<int>(topic.Partitions.Count);
            foreach (var partition in topic.Partitions)
            {
                var index = partition.PartitionIndex;
                if (topicPartitions is not null && index >= 0 && index < topicPartitions.Length)
                {
                    existing.Add(index);
                }
                else
                {
                    unknown.Add((topic.Name, index));
                }
            }

            known.Add((topic.Name, existing));
        }

        var (error, results) = await coordinator.DeleteOffsetsAsync(request.GroupId, known);
        var response = new OffsetDeleteResponse { ErrorCode = (short)error };
        if (error != ErrorCode.None)
        {
            return response;
        }

        var byPartition = new Dictionary<(string Topic, int Partition), ErrorCode>();
        foreach (var (topic, partition, partitionError) in results)
        {
            byPartition[(topic, partition)] = partitionError;
        }

        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                var key = (topic.Name, partition.PartitionIndex);
                var partitionError = unknown.Contains(key) ? ErrorCode.UnknownTopicOrPartition : byPartition.GetValueOrDefault(key);
                topicResponse.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition { PartitionIndex = partition.PartitionIndex, ErrorCode = (short)partitionError });
            }
        }

        return response;
    }
}
