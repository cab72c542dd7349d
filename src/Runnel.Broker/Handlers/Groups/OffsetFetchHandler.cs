using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// OffsetFetch (key 9), versions 1–9 (Kafka 4.0 removed v0, KIP-896). v2 allows null topics (every
/// committed partition) and a top-level error; v5 returns the leader epoch (KIP-320); v6 is
/// flexible; v7 adds RequireStable (KIP-447: a partition with an offset pending in an open
/// transaction answers UNSTABLE_OFFSET_COMMIT and offset -1, and the consumer retries);
/// v8 fetches several groups at once (KIP-709); v9 adds KIP-848's member id and epoch, checked
/// against a consumer-protocol group (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID; ignored for classic
/// groups). A partition without a committed offset reports offset -1.
/// </summary>
public sealed class OffsetFetchHandler(GroupCoordinator coordinator) : RequestHandler<OffsetFetchRequest>
{
    public override ApiKey ApiKey => ApiKey.OffsetFetch;

    public override short MinVersion => 1;

    public override short MaxVersion => 9;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, OffsetFetchRequest request)
    {
        var response = new OffsetFetchResponse();
        if (context.ApiVersion < 8)
        {
            List<(string Topic, IReadOnlyList<int> Partitions)>? topics = null;
            if (request.Topics is not null)
            {
                topics = new();
                foreach (var topic in request.Topics)
                {
                    topics.Add((topic.Name, topic.PartitionIndexes));
                }
            }

            var (error, result) = coordinator.FetchOffsets(request.GroupId, topics);
            if (error != ErrorCode.None && context.ApiVersion < 2)
            {
                // v1 has no top-level error: every requested partition carries it.
                foreach (var (name, partitions) in topics ?? [])
                {
                    var failed = new List<(int Partition, CommittedOffset? Offset)>();
                    foreach (var partition in partitions)
                    {
                        failed.Add((partition, null));
                    }

                    result.Add((name, failed));
                }
            }

            response.ErrorCode = (short)error;
            foreach (var (name, partitions) in result)
            {
                var topicResponse = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = name };
                response.Topics.Add(topicResponse);
                foreach (var (partition, committed) in partitions)
                {
                    var unstable = Unstable(request.RequireStable, request.GroupId, name, partition);
                    var offset = unstable ? null : committed;
                    topicResponse.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = partition,
                        CommittedOffset = offset?.Offset ?? -1,
                        CommittedLeaderEpoch = offset?.LeaderEpoch ?? -1,
                        Metadata = offset?.Metadata ?? "",
                        ErrorCode = (short)(unstable ? ErrorCode.UnstableOffsetCommit : context.ApiVersion < 2 ? error : ErrorCode.None),
                    });
                }
            }

            return new ValueTask<IApiMessage?>(response);
        }

        foreach (var group in request.Groups)
        {
            List<(string Topic, IReadOnlyList<int> Partitions)>? topics = null;
            if (group.Topics is not null)
            {
                topics = new();
                foreach (var topic in group.Topics)
                {
                    topics.Add((topic.Name, topic.PartitionIndexes));
                }
            }

            var (error, result) = context.ApiVersion >= 9
                ? coordinator.FetchOffsets(group.GroupId, topics, group.MemberId, group.MemberEpoch)
                : coordinator.FetchOffsets(group.GroupId, topics);
            var groupResponse = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId, ErrorCode = (short)error };
            response.Groups.Add(groupResponse);
            foreach (var (name, partitions) in result)
            {
                var topicResponse = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = name };
                groupResponse.Topics.Add(topicResponse);
                foreach (var (partition, committed) in partitions)
                {
                    var unstable = Unstable(request.RequireStable, group.GroupId, name, partition);
                    var offset = unstable ? null : committed;
                    topicResponse.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartitions
                    {
                        PartitionIndex = partition,
                        CommittedOffset = offset?.Offset ?? -1,
                        CommittedLeaderEpoch = offset?.LeaderEpoch ?? -1,
                        Metadata = offset?.Metadata ?? "",
                        ErrorCode = (short)(unstable ? ErrorCode.UnstableOffsetCommit : ErrorCode.None),
                    });
                }
            }
        }

        return new ValueTask<IApiMessage?>(response);
    }

    /// <summary>RequireStable (v7+): an offset an open transaction may still replace is not given out.</summary>
    private bool Unstable(bool requireStable, string groupId, string topic, int partition) =>
        requireStable && coordinator.HasPendingTransactionalOffset(groupId, topic, partition);
}
