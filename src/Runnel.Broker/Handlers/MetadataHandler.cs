using Runnel.Broker.Handlers.Admin;
using Runnel.Broker.Metadata;
using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers;

/// <summary>
/// Metadata (key 3), versions 0–13. v0 asks for all topics with an empty list (v1+ uses null);
/// v4 adds AllowAutoTopicCreation (earlier versions always allow it); v7 leader epochs; v8–10
/// authorized operations (with no authorizer every operation is allowed, as Kafka reports it); v10 topic ids (v12 may ask by id
/// alone); v13 a top-level error code. Kafka 4.0 keeps v0 because kafka-python 2.0.2 probes with it.
/// Auto-created topics are created synchronously, so they come back ready instead of with
/// LEADER_NOT_AVAILABLE. Brokers list this node at the address of the listener the request came in on.
/// </summary>
public sealed class MetadataHandler : RequestHandler<MetadataRequest>
{
    private readonly BrokerIdentity _identity;
    private readonly TopicService _topics;
    private readonly PartitionRegistry _partitions;
    private readonly AutoTopicCreation _autoCreate;

    public MetadataHandler(BrokerIdentity identity, TopicService topics, PartitionRegistry partitions, AutoTopicCreation autoCreate)
    {
        _identity = identity;
        _topics = topics;
        _partitions = partitions;
        _autoCreate = autoCreate;
    }

    public override ApiKey ApiKey => ApiKey.Metadata;

    public override short MinVersion => 0;

    public override short MaxVersion => 13;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, MetadataRequest request)
    {
        var version = context.ApiVersion;
        var response = new MetadataResponse
        {
            ClusterId = _identity.ClusterId,
            ControllerId = _identity.NodeId,
            ClusterAuthorizedOperations = request.IncludeClusterAuthorizedOperations ? AuthorizedOperations.AllCluster : AuthorizedOperations.Unknown,
        };
        var topicOperations = request.IncludeTopicAuthorizedOperations ? AuthorizedOperations.AllTopic : AuthorizedOperations.Unknown;
        response.Brokers.Add(new MetadataResponse.MetadataResponseBroker
        {
            NodeId = _identity.NodeId,
            Host = context.Listener.AdvertisedHost,
            Port = context.Listener.AdvertisedPort,
            Rack = _identity.Rack,
        });

        var allTopics = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        if (allTopics)
        {
            foreach (var topic in _topics.Image.Topics)
            {
                response.Topics.Add(Describe(topic, topicOperations));
            }

            return response;
        }

        var allowAutoCreate = version < 4 || request.AllowAutoTopicCreation;
        foreach (var requested in request.Topics!)
        {
            response.Topics.Add(await DescribeRequestedAsync(requested, allowAutoCreate, topicOperations, context.ConnectionClosed));
        }

        return response;
    }

    private async ValueTask<MetadataResponse.MetadataResponseTopic> DescribeRequestedAsync(MetadataRequest.MetadataRequestTopic requested, bool allowAutoCreate, int topicOperations, CancellationToken cancellationToken)
    {
        if (requested.Name is null)
        {
            // v12+: a topic asked for by id alone.
            return _topics.Image.TryGetTopic(requested.TopicId, out var byId)
                ? Describe(byId, topicOperations)
                : new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicId, TopicId = requested.TopicId, Name = null };
        }

        var name = requested.Name;
        if (_topics.Image.TryGetTopic(name, out var topic))
        {
            return Describe(topic, topicOperations);
        }

        if (TopicNames.Validate(name) is not null)
        {
            return Error(name, ErrorCode.InvalidTopicException);
        }

        if (!allowAutoCreate || !_autoCreate.Enabled)
        {
            return Error(name, ErrorCode.UnknownTopicOrPartition);
        }

        var created = await _autoCreate.CreateAsync(name, cancellationToken);
        return created.Error switch
        {
            ErrorCode.None => Describe(created.Topic!, topicOperations),
            ErrorCode.TopicAlreadyExists when _topics.Image.TryGetTopic(name, out var raced) => Describe(raced, topicOperations),
            _ => Error(name, created.Error),
        };
    }

    private static MetadataResponse.MetadataResponseTopic Error(string name, ErrorCode error) => new()
    {
        ErrorCode = (short)error,
        Name = name,
        TopicAuthorizedOperations = AuthorizedOperations.Unknown,
    };

    private MetadataResponse.MetadataResponseTopic Describe(TopicMetadata topic, int topicOperations)
    {
        var result = new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = topic.TopicId,
            IsInternal = topic.IsInternal,
            TopicAuthorizedOperations = topicOperations,
        };
        _partitions.TryGetTopic(topic.Name, out var partitions);
        for (var i = 0; i < topic.PartitionCount; i++)
        {
            var partition = partitions is not null && i < partitions.Length ? partitions[i] : null;
            var offline = partition is null || partition.Log.IsOffline;
            var entry = new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = (short)(offline ? ErrorCode.LeaderNotAvailable : ErrorCode.None),
                PartitionIndex = i,
                LeaderId = offline ? -1 : _identity.NodeId,
                LeaderEpoch = partition?.LeaderEpoch ?? -1,
            };
            entry.ReplicaNodes.Add(_identity.NodeId);
            if (offline)
            {
                entry.OfflineReplicas.Add(_identity.NodeId);
            }
            else
            {
                entry.IsrNodes.Add(_identity.NodeId);
            }

            result.Partitions.Add(entry);
        }

        return result;
    }
}
