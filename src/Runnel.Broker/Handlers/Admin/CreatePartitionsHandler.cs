using Runnel.Broker.Metadata;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// CreatePartitions (key 37), versions 0–3 (KIP-195). v1 same as v0 (responses before throttling);
/// v2 flexible; v3 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599; no quota here, so never sent).
/// </summary>
/// <remarks>
/// <para>Follows Kafka's <c>ControllerApis.createPartitions</c> and
/// <c>ReplicationControlManager.createPartitions</c>: a topic named twice is INVALID_REQUEST
/// "Duplicate topic name." (answered once, before the others); an unknown topic
/// UNKNOWN_TOPIC_OR_PARTITION; a count that does not grow the topic INVALID_PARTITIONS (Kafka never
/// shrinks); explicit assignments must number exactly the added partitions and name only this node
/// (INVALID_REPLICA_ASSIGNMENT); <see cref="AdminLimits.MaxPartitionsPerRequest"/> caps the
/// partitions one request adds. <c>ValidateOnly</c> runs every check and adds nothing. The
/// existence and count checks are <see cref="TopicService.CreatePartitionsAsync"/>'s (run first in
/// validate-only mode so their errors come before assignment errors, as in Kafka).</para>
/// <para>Not supported: authorization (TOPIC_AUTHORIZATION_FAILED) and mutation quotas.</para>
/// </remarks>
public sealed class CreatePartitionsHandler : RequestHandler<CreatePartitionsRequest>
{
    private readonly TopicService _topics;
    private readonly int _nodeId;

    public CreatePartitionsHandler(TopicService topics, int nodeId)
    {
        _topics = topics;
        _nodeId = nodeId;
    }

    public override ApiKey ApiKey => ApiKey.CreatePartitions;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, CreatePartitionsRequest request)
    {
        var response = new CreatePartitionsResponse();
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            occurrences.TryGetValue(topic.Name, out var seen);
            occurrences[topic.Name] = seen + 1;
            if (seen == 1)
            {
                response.Results.Add(Result(topic.Name, ErrorCode.InvalidRequest, "Duplicate topic name."));
            }
        }

        var addedPartitions = 0;
        foreach (var topic in request.Topics)
        {
            if (occurrences[topic.Name] > 1)
            {
                continue;
            }

            var (error, message, added) = await GrowAsync(topic, request.ValidateOnly, addedPartitions, context.ConnectionClosed);
            addedPartitions += added;
            response.Results.Add(Result(topic.Name, error, message));
        }

        return response;
    }

    private async ValueTask<(ErrorCode Error, string? Message, int Added)> GrowAsync(
        CreatePartitionsRequest.CreatePartitionsTopic topic, bool validateOnly, int addedPartitions, CancellationToken cancellationToken)
    {
        var name = topic.Name;
        var check = await _topics.CreatePartitionsAsync(name, topic.Count, validateOnly: true, cancellationToken);
        if (check.Error != ErrorCode.None)
        {
            return (check.Error, check.Message, 0);
        }

        if (!_topics.Image.TryGetTopic(name, out var current))
        {
            return (ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.", 0);
        }

        var additional = topic.Count - current.PartitionCount;
        if (topic.Assignments is { } assignments)
        {
            if (assignments.Count != additional)
            {
                return (ErrorCode.InvalidReplicaAssignment, $"Attempted to add {additional} additional partition(s), but only {assignments.Count} assignment(s) were specified.", 0);
            }

            // Every existing partition has one replica (this node), and new ones must match.
            foreach (var assignment in assignments)
            {
                if (ManualAssignment.Validate(assignment.BrokerIds, _nodeId, replicationFactor: 1) is { } invalid)
                {
                    return (ErrorCode.InvalidReplicaAssignment, invalid, 0);
                }
            }
        }

        if (additional > AdminLimits.MaxPartitionsPerRequest - addedPartitions)
        {
            return (ErrorCode.InvalidPartitions, AdminLimits.TooManyPartitionsMessage(additional, addedPartitions), 0);
        }

        if (validateOnly)
        {
            return (ErrorCode.None, null, additional);
        }

        var grown = await _topics.CreatePartitionsAsync(name, topic.Count, validateOnly: false, cancellationToken);
        return grown.Error == ErrorCode.None
            ? (ErrorCode.None, null, additional)
            : (grown.Error, grown.Message, 0);
    }

    private static CreatePartitionsResponse.CreatePartitionsTopicResult Result(string name, ErrorCode error, string? message) => new()
    {
        Name = name,
        ErrorCode = (short)error,
        ErrorMessage = message,
    };
}
