using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// Heartbeat (key 12), versions 0–4: REBALANCE_IN_PROGRESS while the group rebalances,
/// ILLEGAL_GENERATION for an old generation, UNKNOWN_MEMBER_ID for an expelled member. v3 adds
/// group.instance.id (KIP-345); v4 is flexible.
/// </summary>
public sealed class HeartbeatHandler(GroupCoordinator coordinator) : RequestHandler<HeartbeatRequest>
{
    public override ApiKey ApiKey => ApiKey.Heartbeat;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, HeartbeatRequest request)
    {
        var error = coordinator.Heartbeat(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId);
        return new ValueTask<IApiMessage?>(new HeartbeatResponse { ErrorCode = (short)error });
    }
}
