using Runnel.Broker.Configuration;
using Runnel.Broker.Metadata;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// DeleteTopics (key 20), versions 1–6 (Kafka 4.0 removed v0, KIP-896). v1 ThrottleTimeMs; v2 same
/// (responses before throttling); v3 TOPIC_DELETION_DISABLED (earlier versions get
/// INVALID_REQUEST); v4 flexible; v5 per-topic ErrorMessage and THROTTLING_QUOTA_EXCEEDED (KIP-599;
/// no quota here, so never sent); v6 topics by name or by id (KIP-516), answered with both.
/// </summary>
/// <remarks>
/// <para>Follows Kafka's <c>ControllerApis.deleteTopics</c>: with <c>delete.topic.enable=false</c>
/// every entry fails (no message, as Kafka's whole-request error); a name or id given twice is
/// INVALID_REQUEST for it; a v6 entry with both a name and an id, or neither, is INVALID_REQUEST; an
/// unknown name is UNKNOWN_TOPIC_OR_PARTITION, an unknown id UNKNOWN_TOPIC_ID; a name whose id was
/// also given is INVALID_REQUEST. Results come in that order (errors found while reading the
/// request first, then deletions); Kafka shuffles them, clients match by name and id. Deletion is
/// synchronous: the topic is gone from the metadata before the response, its files are removed
/// afterwards by the log manager.</para>
/// <para>Internal topics (<c>__consumer_offsets</c>, <c>__transaction_state</c>) can be deleted,
/// as on a Kafka broker: only Kafka's command-line tools refuse them. Not supported:
/// authorization (TOPIC_AUTHORIZATION_FAILED) and mutation quotas.</para>
/// </remarks>
public sealed class DeleteTopicsHandler : RequestHandler<DeleteTopicsRequest>
{
    private readonly DynamicBrokerConfig _config;
    private readonly TopicService _topics;

    public DeleteTopicsHandler(DynamicBrokerConfig config, TopicService topics)
    {
        _config = config;
        _topics = topics;
    }

    public override ApiKey ApiKey => ApiKey.DeleteTopics;

    public override short MinVersion => 1;

    public override short MaxVersion => 6;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, DeleteTopicsRequest request)
    {
        var version = context.ApiVersion;
        var response = new DeleteTopicsResponse();
        if (!_config.Current.DeleteTopicEnable)
        {
            var error = (short)(version < 3 ? ErrorCode.InvalidRequest : ErrorCode.TopicDeletionDisabled);
            if (version >= 6)
            {
                foreach (var topic in request.Topics)
                {
                    response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult { Name = topic.Name, TopicId = topic.TopicId, ErrorCode = error });
                }
            }
            else
            {
                foreach (var name in request.TopicNames)
                {
                    response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult { Name = name, ErrorCode = error });
                }
            }

            return response;
        }

        // Names and ids as given, in request order; an entry given twice moves to the duplicates.
        var names = new List<string>();
        var nameSet = new HashSet<string>(StringComparer.Ordinal);
        var duplicateNames = new List<string>();
        var ids = new List<Guid>();
        var idSet = new HashSet<Guid>();
        var duplicateIds = new List<Guid>();

        void AddName(string name)
        {
            if (duplicateNames.Contains(name))
            {
                return;
            }

            if (!nameSet.Add(name))
            {
                nameSet.Remove(name);
                names.Remove(name);
                duplicateNames.Add(name);
                return;
            }

            names.Add(name);
        }

        if (version >= 6)
        {
            foreach (var topic in request.Topics)
            {
                if (topic.Name is null)
                {
                    if (topic.TopicId == Guid.Empty)
                    {
                        Add(response, null, Guid.Empty, ErrorCode.InvalidRequest, "Neither topic name nor id were specified.");
                    }
                    else if (duplicateIds.Contains(topic.TopicId))
                    {
                        continue;
                    }
                    else if (!idSet.Add(topic.TopicId))
                    {
                        idSet.Remove(topic.TopicId);
                        ids.Remove(topic.TopicId);
                        duplicateIds.Add(topic.TopicId);
                    }
                    else
                    {
                        ids.Add(topic.TopicId);
                    }
                }
                else if (topic.TopicId == Guid.Empty)
                {
                    AddName(topic.Name);
                }
                else
                {
                    Add(response, topic.Name, topic.TopicId, ErrorCode.InvalidRequest, "You may not specify both topic name and topic id.");
                }
            }
        }
        else
        {
            foreach (var name in request.TopicNames)
            {
                AddName(name);
            }
        }

        foreach (var name in duplicateNames)
        {
            Add(response, name, Guid.Empty, ErrorCode.InvalidRequest, "Duplicate topic name.");
        }

        foreach (var id in duplicateIds)
        {
            Add(response, null, id, ErrorCode.InvalidRequest, "Duplicate topic id.");
        }

        // Resolve to (id, name) pairs: every topic to delete, once.
        var image = _topics.Image;
        var toDelete = new List<(Guid Id, string Name)>();
        foreach (var id in ids)
        {
            if (image.TryGetTopic(id, out var topic))
            {
                toDelete.Add((id, topic.Name));
            }
            else
            {
                Add(response, null, id, ErrorCode.UnknownTopicId, "This server does not host this topic ID.");
            }
        }

        foreach (var name in names)
        {
            if (!image.TryGetTopic(name, out var topic))
            {
                Add(response, name, Guid.Empty, ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
                continue;
            }

            var byId = toDelete.FindIndex(t => t.Id == topic.TopicId);
            if (byId >= 0 || duplicateIds.Contains(topic.TopicId))
            {
                // The same topic by name and by id: Kafka answers once, for the name, and deletes nothing.
                if (byId >= 0)
                {
                    toDelete.RemoveAt(byId);
                }

                Add(response, name, topic.TopicId, ErrorCode.InvalidRequest, "The provided topic name maps to an ID that was already supplied.");
                continue;
            }

            toDelete.Add((topic.TopicId, name));
        }

        foreach (var (id, name) in toDelete)
        {
            var deleted = await _topics.DeleteTopicAsync(name, id, context.ConnectionClosed);
            if (deleted.Error == ErrorCode.None)
            {
                Add(response, name, id, ErrorCode.None, null);
            }
            else
            {
                Add(response, name, id, deleted.Error, deleted.Message);
            }
        }

        return response;
    }

    private static void Add(DeleteTopicsResponse response, string? name, Guid id, ErrorCode error, string? message) =>
        response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult
        {
            Name = name,
            TopicId = id,
            ErrorCode = (short)error,
            ErrorMessage = message,
        });
}
