using Runnel.Broker.Groups;
using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// OffsetCommit (key 8), versions 2–9 (Kafka 4.0 removed v0–1, KIP-896). v2–4 carry a retention
/// time, ignored as in Kafka 2.1+ (KIP-211); v6 adds the leader epoch (KIP-320); v7
/// group.instance.id (KIP-345); v8 is flexible; v9 is KIP-848's: against a consumer-protocol group
/// the generation field carries the member epoch (STALE_MEMBER_EPOCH when it is not the member's,
/// UNKNOWN_MEMBER_ID for an unknown member, UNSUPPORTED_VERSION below v9). Generation -1 on an
/// empty group is a "simple" commit. Partitions that do not exist get
/// UNKNOWN_TOPIC_OR_PARTITION. Answered once the records are appended to <c>__consumer_offsets</c> (and flushed when that topic flushes before acks).
/// </summary>
public sealed class OffsetCommitHandler(GroupCoordinator coordinator, PartitionRegistry partitions) : RequestHandler<OffsetCommitRequest>
{
    public override ApiKey ApiKey => ApiKey.OffsetCommit;

    public override short MinVersion => 2;

    public override short MaxVersion => 9;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, OffsetCommitRequest request)
    {
        // Partitions that do not exist are answered here, as Kafka checks them against its metadata
        // before the coordinator sees the rest.
        var entries = new List<OffsetCommitEntry>();
        List<bool>? exists = null;
        foreach (var topic in request.Topics)
        {
            partitions.TryGetTopic(topic.Name, out var topicPartitions);
            foreach (var partition in topic.Partitions)
            {
                var index = partition.PartitionIndex;
                if (topicPartitions is null || index < 0 || index >= topicPartitions.Length)
                {
                    exists ??= Enumerable.Repeat(true, entries.Count).ToList();
                    exists.Add(false);
                    continue;
                }

                exists?.Add(true);
                entries.Add(new OffsetCommitEntry(topic.Name, index, partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.CommittedMetadata));
            }
        }

        var committed = await coordinator.CommitOffsetsAsync(request.GroupId, request.GenerationIdOrMemberEpoch, request.MemberId, request.GroupInstanceId, entries, context.ApiVersion);
        var errors = committed;
        if (exists is not null)
        {
            errors = new ErrorCode[exists.Count];
            for (int e = 0, c = 0; e < exists.Count; e++)
            {
                errors[e] = exists[e] ? committed[c++] : ErrorCode.UnknownTopicOrPartition;
            }
        }
        var response = new OffsetCommitResponse();
        var i = 0;
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                topicResponse.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)errors[i++],
                });
            }
        }

        return response;
    }
}
