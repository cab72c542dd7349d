using System.Collections.Immutable;
using Runnel.Broker.Groups;
using Runnel.Broker.Groups.Consumer;
using Runnel.Broker.Handlers.Admin;
using Runnel.Broker.Metadata;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// ConsumerGroupDescribe (key 69), versions 0–1 (KIP-848): a consumer-protocol group's epochs,
/// assignor, state, and each member's subscription with its current and target assignment (topic
/// ids with names; partitions of topics deleted since are left out). An unknown or classic group is
/// GROUP_ID_NOT_FOUND, so admin clients fall back to DescribeGroups. v1 adds MemberType: always
/// 1 (consumer) here, since classic members cannot be part of a consumer group on this broker.
/// With no authorizer every group operation is allowed.
/// </summary>
public sealed class ConsumerGroupDescribeHandler(GroupCoordinator coordinator, TopicService topics) : RequestHandler<ConsumerGroupDescribeRequest>
{
    public override ApiKey ApiKey => ApiKey.ConsumerGroupDescribe;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, ConsumerGroupDescribeRequest request)
    {
        var response = new ConsumerGroupDescribeResponse();
        var image = topics.Image;
        foreach (var groupId in request.GroupIds)
        {
            var described = new ConsumerGroupDescribeResponse.DescribedGroup { GroupId = groupId };
            response.Groups.Add(described);
            if (!coordinator.Load.IsLoadedOrStart())
            {
                described.ErrorCode = (short)ErrorCode.CoordinatorLoadInProgress;
                continue;
            }

            var group = coordinator.DescribeConsumerGroup(groupId);
            if (group is null)
            {
                described.ErrorCode = (short)ErrorCode.GroupIdNotFound;
                described.ErrorMessage = $"Group {groupId} not found.";
                continue;
            }

            described.GroupState = group.State.ToString();
            described.GroupEpoch = group.GroupEpoch;
            described.AssignmentEpoch = group.AssignmentEpoch;
            described.AssignorName = group.AssignorName;
            described.AuthorizedOperations = request.IncludeAuthorizedOperations ? AuthorizedOperations.AllGroup : AuthorizedOperations.Unknown;
            foreach (var member in group.Members)
            {
                described.Members.Add(new ConsumerGroupDescribeResponse.Member
                {
                    MemberId = member.MemberId,
                    InstanceId = member.InstanceId,
                    RackId = member.RackId,
                    MemberEpoch = member.MemberEpoch,
                    ClientId = member.ClientId,
                    ClientHost = member.ClientHost,
                    SubscribedTopicNames = member.SubscribedTopicNames.ToList(),
                    SubscribedTopicRegex = member.SubscribedTopicRegex,
                    Assignment = ToAssignment(member.Assignment, image),
                    TargetAssignment = ToAssignment(member.TargetAssignment, image),
                    MemberType = 1,
                });
            }
        }

        return new ValueTask<IApiMessage?>(response);
    }

    private static ConsumerGroupDescribeResponse.Assignment ToAssignment(ImmutableSortedSet<TopicIdPartition> partitions, MetadataImage image)
    {
        var assignment = new ConsumerGroupDescribeResponse.Assignment();
        foreach (var partition in partitions)
        {
            if (!image.TryGetTopic(partition.TopicId, out var topic))
            {
                continue;
            }

            if (assignment.TopicPartitions.Count == 0 || assignment.TopicPartitions[^1].TopicId != partition.TopicId)
            {
                assignment.TopicPartitions.Add(new ConsumerGroupDescribeResponse.TopicPartitions { TopicId = partition.TopicId, TopicName = topic.Name });
            }

            assignment.TopicPartitions[^1].Partitions.Add(partition.Partition);
        }

        return assignment;
    }
}
