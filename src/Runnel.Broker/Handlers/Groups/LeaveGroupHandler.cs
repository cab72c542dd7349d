using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// LeaveGroup (key 13), versions 0–5. v0–2 name one member; v3 batches members with their
/// group.instance.id (KIP-345) and answers per member; v4 is flexible; v5 adds a reason (KIP-800,
/// not logged). The group rebalances without the members that left.
/// </summary>
public sealed class LeaveGroupHandler(GroupCoordinator coordinator) : RequestHandler<LeaveGroupRequest>
{
    public override ApiKey ApiKey => ApiKey.LeaveGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, LeaveGroupRequest request)
    {
        var members = new List<(string MemberId, string? GroupInstanceId)>();
        if (context.ApiVersion < 3)
        {
            members.Add((request.MemberId, null));
        }
        else
        {
            foreach (var member in request.Members)
            {
                members.Add((member.MemberId, member.GroupInstanceId));
            }
        }

        var (error, memberErrors) = coordinator.LeaveGroup(request.GroupId, members);
        var response = new LeaveGroupResponse { ErrorCode = (short)error };
        if (context.ApiVersion < 3)
        {
            if (error == ErrorCode.None && memberErrors.Count == 1)
            {
                response.ErrorCode = (short)memberErrors[0];
            }
        }
        else if (error == ErrorCode.None)
        {
            for (var i = 0; i < members.Count; i++)
            {
                response.Members.Add(new LeaveGroupResponse.MemberResponse
                {
                    MemberId = members[i].MemberId,
                    GroupInstanceId = members[i].GroupInstanceId,
                    ErrorCode = (short)memberErrors[i],
                });
            }
        }

        return new ValueTask<IApiMessage?>(response);
    }
}
