using Runnel.Broker.Configuration;
using Runnel.Broker.Metadata;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// CreateTopics (key 19), versions 2–7 (Kafka 4.0 removed v0–1, KIP-896). v1 ValidateOnly and a
/// per-topic ErrorMessage (KIP-108); v2 ThrottleTimeMs; v3 same (responses before throttling);
/// v4 NumPartitions and ReplicationFactor may be -1 for the broker defaults (KIP-464); v5 flexible,
/// and a created topic's NumPartitions, ReplicationFactor and effective configs come back (KIP-525);
/// v6 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599; Runnel has no controller mutation quota, so it
/// never does); v7 the new topic's id.
/// </summary>
/// <remarks>
/// <para>Checks follow Kafka's controller (<c>ControllerApis.createTopics</c>,
/// <c>ReplicationControlManager.createTopics</c>) in its order: a name given twice fails every entry
/// of it with INVALID_REQUEST (one result per name, after the others); <c>__cluster_metadata</c> is
/// refused; an illegal name is INVALID_TOPIC_EXCEPTION; an existing topic TOPIC_ALREADY_EXISTS;
/// null or invalid configs INVALID_CONFIG; then the partition layout: explicit assignments need
/// NumPartitions and ReplicationFactor -1 (else INVALID_REQUEST) and may name only this node
/// (INVALID_REPLICA_ASSIGNMENT); otherwise a replication factor of 0 or below -1 is
/// INVALID_REPLICATION_FACTOR, a partition count of 0 or below -1 INVALID_PARTITIONS, -1 takes
/// <c>default.replication.factor</c> / <c>num.partitions</c>, and more than one replica cannot be
/// placed on a one-broker cluster (INVALID_REPLICATION_FACTOR with Kafka's placer message).
/// Finally <see cref="AdminLimits.MaxPartitionsPerRequest"/> caps the partitions one request
/// creates. <c>ValidateOnly</c> runs every check, creates nothing and answers as if it had (with a
/// fresh topic id, as Kafka does).</para>
/// <para>Not supported: <c>create.topic.policy.class.name</c> policies, authorization
/// (TOPIC_AUTHORIZATION_FAILED, TopicConfigErrorCode) and mutation quotas.</para>
/// </remarks>
public sealed class CreateTopicsHandler : RequestHandler<CreateTopicsRequest>
{
    private const string ClusterMetadataTopic = "__cluster_metadata";

    private readonly DynamicBrokerConfig _config;
    private readonly TopicService _topics;
    private readonly int _nodeId;

    public CreateTopicsHandler(DynamicBrokerConfig config, TopicService topics, int nodeId)
    {
        _config = config;
        _topics = topics;
        _nodeId = nodeId;
    }

    public override ApiKey ApiKey => ApiKey.CreateTopics;

    public override short MinVersion => 2;

    public override short MaxVersion => 7;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse();
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = new List<string>();
        foreach (var topic in request.Topics)
        {
            occurrences.TryGetValue(topic.Name, out var seen);
            occurrences[topic.Name] = seen + 1;
            if (seen == 1)
            {
                duplicates.Add(topic.Name);
            }
        }

        // One broker config snapshot for the whole request, so every topic sees the same defaults.
        var broker = _config.Current;
        var createdPartitions = 0;
        foreach (var topic in request.Topics)
        {
            if (occurrences[topic.Name] > 1)
            {
                continue;
            }

            var result = await CreateAsync(context, broker, topic, request.ValidateOnly, createdPartitions);
            if (result.ErrorCode == 0)
            {
                createdPartitions += result.NumPartitions;
            }

            response.Topics.Add(result);
        }

        foreach (var name in duplicates)
        {
            response.Topics.Add(Error(name, ErrorCode.InvalidRequest, "Duplicate topic name."));
        }

        return response;
    }

    private async ValueTask<CreateTopicsResponse.CreatableTopicResult> CreateAsync(
        RequestContext context, BrokerConfig broker, CreateTopicsRequest.CreatableTopic topic, bool validateOnly, int createdPartitions)
    {
        var name = topic.Name;
        if (name == ClusterMetadataTopic)
        {
            return Error(name, ErrorCode.InvalidRequest, $"Creation of internal topic {ClusterMetadataTopic} is prohibited.");
        }

        if (TopicNames.Validate(name) is { } illegal)
        {
            return Error(name, ErrorCode.InvalidTopicException, illegal);
        }

        // TopicService decides existence (and name collisions) under its lock; checking here as well
        // keeps Kafka's order, where an existing topic is reported before its configs are looked at.
        if (_topics.Image.TryGetTopic(name, out _))
        {
            return Error(name, ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
        }

        var configs = new List<KeyValuePair<string, string?>>(topic.Configs.Count);
        foreach (var config in topic.Configs)
        {
            configs.Add(new KeyValuePair<string, string?>(config.Name, config.Value));
        }

        var validated = TopicConfigResolver.ValidateCreate(broker, configs);
        if (!validated.IsSuccess)
        {
            return Error(name, (ErrorCode)validated.ErrorCode, validated.ErrorMessage);
        }

        var partitionCount = 0;
        if (topic.Assignments.Count > 0)
        {
            if (topic.ReplicationFactor != -1)
            {
                return Error(name, ErrorCode.InvalidRequest, "A manual partition assignment was specified, but replication factor was not set to -1.");
            }

            if (topic.NumPartitions != -1)
            {
                return Error(name, ErrorCode.InvalidRequest, "A manual partition assignment was specified, but numPartitions was not set to -1.");
            }

            var assigned = new HashSet<int>();
            int? replicationFactor = null;
            foreach (var assignment in topic.Assignments)
            {
                if (!assigned.Add(assignment.PartitionIndex))
                {
                    return Error(name, ErrorCode.InvalidReplicaAssignment, $"Found multiple manual partition assignments for partition {assignment.PartitionIndex}");
                }

                if (ManualAssignment.Validate(assignment.BrokerIds, _nodeId, replicationFactor) is { } invalid)
                {
                    return Error(name, ErrorCode.InvalidReplicaAssignment, invalid);
                }

                replicationFactor = assignment.BrokerIds.Count;
            }

            for (var i = 0; i < assigned.Count; i++)
            {
                if (!assigned.Contains(i))
                {
                    return Error(name, ErrorCode.InvalidReplicaAssignment, "partitions should be a consecutive 0-based integer sequence");
                }
            }

            partitionCount = assigned.Count;
        }
        else if (topic.ReplicationFactor < -1 || topic.ReplicationFactor == 0)
        {
            return Error(name, ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.");
        }
        else if (topic.NumPartitions < -1 || topic.NumPartitions == 0)
        {
            return Error(name, ErrorCode.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.");
        }
        else
        {
            partitionCount = topic.NumPartitions == -1 ? broker.NumPartitions : topic.NumPartitions;
            var replicationFactor = topic.ReplicationFactor == -1 ? broker.DefaultReplicationFactor : topic.ReplicationFactor;
            if (PlacementError(replicationFactor) is { } placement)
            {
                return Error(name, ErrorCode.InvalidReplicationFactor, $"Unable to replicate the partition {replicationFactor} time(s): {placement}");
            }
        }

        if (partitionCount > AdminLimits.MaxPartitionsPerRequest - createdPartitions)
        {
            return Error(name, ErrorCode.InvalidPartitions, AdminLimits.TooManyPartitionsMessage(partitionCount, createdPartitions));
        }

        var created = await _topics.CreateTopicAsync(name, partitionCount, validated.Configs, validateOnly, context.ConnectionClosed);
        if (created.Error != ErrorCode.None)
        {
            return Error(name, created.Error, created.Message);
        }

        var createdTopic = created.Topic!;
        var result = new CreateTopicsResponse.CreatableTopicResult
        {
            Name = name,
            TopicId = createdTopic.TopicId,
            NumPartitions = createdTopic.PartitionCount,
            ReplicationFactor = 1,
        };
        if (context.ApiVersion >= 5)
        {
            // KIP-525: the effective configs, sorted by name like Kafka's controller sends them.
            var described = new List<DescribedConfig>(TopicConfigResolver.Describe(broker, createdTopic.Configs));
            described.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var entries = new List<CreateTopicsResponse.CreatableTopicConfigs>(described.Count);
            foreach (var config in described)
            {
                entries.Add(new CreateTopicsResponse.CreatableTopicConfigs
                {
                    Name = config.Name,
                    Value = config.IsSensitive ? null : config.Value,
                    ReadOnly = config.IsReadOnly,
                    ConfigSource = (sbyte)config.Source,
                    IsSensitive = config.IsSensitive,
                });
            }

            result.Configs = entries;
        }

        return result;
    }

    /// <summary>
    /// Kafka's <c>StripedReplicaPlacer</c> checks, for a cluster of one registered, unfenced broker.
    /// </summary>
    private static string? PlacementError(int replicationFactor)
    {
        if (replicationFactor <= 0)
        {
            return $"Invalid replication factor {replicationFactor}: the replication factor must be positive.";
        }

        if (replicationFactor > 1)
        {
            return $"The target replication factor of {replicationFactor} cannot be reached because only 1 broker(s) are registered.";
        }

        return null;
    }

    private static CreateTopicsResponse.CreatableTopicResult Error(string name, ErrorCode error, string? message) => new()
    {
        Name = name,
        ErrorCode = (short)error,
        ErrorMessage = message,
    };
}
