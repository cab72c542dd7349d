using Runnel.Broker.Metadata;
using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// DescribeTopicPartitions (key 75), version 0 (KIP-966): topic and partition metadata with paging,
/// used by the Java admin client's describeTopics since Kafka 3.8.
/// </summary>
/// <remarks>
/// <para>As Kafka's <c>DescribeTopicPartitionsRequestHandler</c> and
/// <c>KRaftMetadataCache.getTopicMetadataForDescribeTopicResponse</c>: an empty Topics list means
/// every topic (unknown names are then impossible); topics are answered in name order (ordinal,
/// like Java's <c>String.compareTo</c>), each once, starting at the Cursor's topic and partition.
/// At most <c>max(min(ResponsePartitionLimit, 2000), 1)</c> partitions are returned; when the limit
/// cuts a topic, NextCursor points at its first partition not returned, and when it is reached
/// exactly, at the next topic's partition 0. A Cursor whose topic is not among the requested ones,
/// or whose partition is negative, fails the request with INVALID_REQUEST for every topic asked
/// for. Unknown topics are UNKNOWN_TOPIC_OR_PARTITION, illegal names INVALID_TOPIC_EXCEPTION; they
/// take none of the partition budget.</para>
/// <para>Partitions are described as Metadata describes them: this node leads each at its leader
/// epoch, replicas and ISR are [this node], eligible leader replicas (KIP-966 ELR) and last known
/// ELR are empty; a partition whose log is offline has no leader (-1), an empty ISR and this node
/// as offline replica (Kafka sets no partition error code here, unlike Metadata). Topic authorized
/// operations are every topic operation: no authorizer, as a Kafka broker without one answers.</para>
/// </remarks>
public sealed class DescribeTopicPartitionsHandler : RequestHandler<DescribeTopicPartitionsRequest>
{
    private readonly BrokerIdentity _identity;
    private readonly TopicService _topics;
    private readonly PartitionRegistry _partitions;

    public DescribeTopicPartitionsHandler(BrokerIdentity identity, TopicService topics, PartitionRegistry partitions)
    {
        _identity = identity;
        _topics = topics;
        _partitions = partitions;
    }

    public override ApiKey ApiKey => ApiKey.DescribeTopicPartitions;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, DescribeTopicPartitionsRequest request)
    {
        var image = _topics.Image;
        var cursor = request.Cursor;
        var cursorTopic = cursor?.TopicName ?? string.Empty;
        var fetchAll = request.Topics.Count == 0;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (fetchAll)
        {
            foreach (var topic in image.Topics)
            {
                if (string.CompareOrdinal(topic.Name, cursorTopic) >= 0)
                {
                    names.Add(topic.Name);
                }
            }
        }
        else
        {
            foreach (var topic in request.Topics)
            {
                if (string.CompareOrdinal(topic.Name, cursorTopic) >= 0)
                {
                    names.Add(topic.Name);
                }
            }

            if (cursor is not null && !names.Contains(cursor.TopicName))
            {
                // Kafka: "DescribeTopicPartitionsRequest topic list should contain the cursor topic".
                return new ValueTask<IApiMessage?>(InvalidRequest(request));
            }
        }

        if (cursor is not null && cursor.PartitionIndex < 0)
        {
            // Kafka: "DescribeTopicPartitionsRequest cursor partition must be valid".
            return new ValueTask<IApiMessage?>(InvalidRequest(request));
        }

        var response = new DescribeTopicPartitionsResponse();
        var remaining = Math.Max(Math.Min(AdminLimits.MaxResponsePartitions, request.ResponsePartitionLimit), 1);
        foreach (var name in names)
        {
            if (remaining == 0)
            {
                // The previous topic used the budget up exactly: resume at this one.
                response.NextCursor = new DescribeTopicPartitionsResponse.Cursor { TopicName = name, PartitionIndex = 0 };
                break;
            }

            if (!image.TryGetTopic(name, out var topic))
            {
                if (!fetchAll)
                {
                    response.Topics.Add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic
                    {
                        ErrorCode = (short)(TopicNames.Validate(name) is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidTopicException),
                        Name = name,
                        IsInternal = InternalTopics.IsInternal(name),
                        TopicAuthorizedOperations = AuthorizedOperations.AllTopic,
                    });
                }

                continue;
            }

            var start = cursor is not null && name == cursor.TopicName ? cursor.PartitionIndex : 0;
            var end = Math.Min(topic.PartitionCount, (int)Math.Min((long)start + remaining, int.MaxValue));
            var result = new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic
            {
                Name = topic.Name,
                TopicId = topic.TopicId,
                IsInternal = topic.IsInternal,
                TopicAuthorizedOperations = AuthorizedOperations.AllTopic,
            };
            _partitions.TryGetTopic(topic.Name, out var partitions);
            for (var i = start; i < end; i++)
            {
                result.Partitions.Add(Describe(i, partitions is not null && i < partitions.Length ? partitions[i] : null));
            }

            response.Topics.Add(result);
            if (end < topic.PartitionCount)
            {
                response.NextCursor = new DescribeTopicPartitionsResponse.Cursor { TopicName = topic.Name, PartitionIndex = end };
                break;
            }

            remaining -= result.Partitions.Count;
        }

        return new ValueTask<IApiMessage?>(response);
    }

    private DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition Describe(int index, Partition? partition)
    {
        var offline = partition is null || partition.Log.IsOffline;
        var node = _identity.NodeId;
        var entry = new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition
        {
            PartitionIndex = index,
            LeaderId = offline ? -1 : node,
            LeaderEpoch = partition?.LeaderEpoch ?? -1,
            EligibleLeaderReplicas = [],
            LastKnownElr = [],
        };
        entry.ReplicaNodes.Add(node);
        if (offline)
        {
            entry.OfflineReplicas.Add(node);
        }
        else
        {
            entry.IsrNodes.Add(node);
        }

        return entry;
    }

    private static DescribeTopicPartitionsResponse InvalidRequest(DescribeTopicPartitionsRequest request)
    {
        var response = new DescribeTopicPartitionsResponse();
        foreach (var topic in request.Topics)
        {
            response.Topics.Add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic
            {
                ErrorCode = (short)ErrorCode.InvalidRequest,
                Name = topic.Name,
                IsInternal = false,
            });
        }

        return response;
    }
}
