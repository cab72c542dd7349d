using Runnel.Broker.Groups;
using Runnel.Broker.Handlers.Admin;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// DescribeGroups (key 15), versions 0–6. v1 throttle time; v3 authorized operations (KIP-430;
/// with no authorizer every operation is allowed); v4 group.instance.id of members (KIP-345); v5
/// flexible; v6 (KIP-1043) answers an unknown group with GROUP_ID_NOT_FOUND and a message, where
/// older versions report it as "Dead" with no error. Member metadata and assignments are reported
/// only for Stable groups, as Kafka does.
/// </summary>
public sealed class DescribeGroupsHandler(GroupCoordinator coordinator) : RequestHandler<DescribeGroupsRequest>
{
    public override ApiKey ApiKey => ApiKey.DescribeGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 6;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
        {
            response.Groups.Add(Describe(groupId, context.ApiVersion, request.IncludeAuthorizedOperations));
        }

        return new ValueTask<IApiMessage?>(response);
    }

    private DescribeGroupsResponse.DescribedGroup Describe(string groupId, short version, bool includeOperations)
    {
        var result = new DescribeGroupsResponse.DescribedGroup
        {
            GroupId = groupId,
            GroupState = nameof(GroupState.Dead),
            AuthorizedOperations = includeOperations ? AuthorizedOperations.AllGroup : AuthorizedOperations.Unknown,
        };
        if (!coordinator.Load.IsLoadedOrStart())
        {
            result.ErrorCode = (short)ErrorCode.CoordinatorLoadInProgress;
            return result;
        }

        var group = coordinator.DescribeGroup(groupId);
        if (group is null)
        {
            if (version >= 6)
            {
                result.ErrorCode = (short)ErrorCode.GroupIdNotFound;
                result.ErrorMessage = $"Group {groupId} not found.";
            }

            return result;
        }

        result.GroupState = group.State.ToString();
        result.ProtocolType = group.ProtocolType;
        result.ProtocolData = group.ProtocolData;
        foreach (var member in group.Members)
        {
            result.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                ClientId = member.ClientId,
                ClientHost = member.ClientHost,
                MemberMetadata = member.Metadata,
                MemberAssignment = member.Assignment,
            });
        }

        return result;
    }
}
