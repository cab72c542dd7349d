using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// SyncGroup (key 14), versions 0–5. The leader's assignments are relayed to each member; the
/// others wait for them. v3 adds group.instance.id (KIP-345); v4 is flexible; v5 checks and returns
/// the protocol type and name (KIP-559, INCONSISTENT_GROUP_PROTOCOL on a mismatch).
/// </summary>
public sealed class SyncGroupHandler(GroupCoordinator coordinator) : RequestHandler<SyncGroupRequest>
{
    public override ApiKey ApiKey => ApiKey.SyncGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, SyncGroupRequest request)
    {
        var assignments = new List<(string MemberId, byte[] Assignment)>(request.Assignments.Count);
        foreach (var assignment in request.Assignments)
        {
            assignments.Add((assignment.MemberId, assignment.Assignment));
        }

        var result = await coordinator.SyncGroupAsync(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId, request.ProtocolType, request.ProtocolName, assignments);
        return new SyncGroupResponse
        {
            ErrorCode = (short)result.Error,
            Assignment = result.Assignment,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
        };
    }
}
