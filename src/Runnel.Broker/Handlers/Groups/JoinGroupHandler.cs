using System.Net;
using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// JoinGroup (key 11), versions 0–9. v1 adds the rebalance timeout (v0 uses the session timeout);
/// v4 requires a known member id: a new dynamic member first gets MEMBER_ID_REQUIRED with its id
/// (KIP-394); v5 adds group.instance.id for static members (KIP-345); v6 is flexible; v7 returns the
/// protocol type (KIP-559); v8 carries a reason (KIP-800); v9 adds SkipAssignment, set for a static
/// leader that rejoins a Stable group without changing its protocols (KIP-814). Member metadata is
/// opaque; the leader receives every member's metadata for the chosen protocol.
/// </summary>
public sealed class JoinGroupHandler(GroupCoordinator coordinator) : RequestHandler<JoinGroupRequest>
{
    public override ApiKey ApiKey => ApiKey.JoinGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 9;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, JoinGroupRequest request)
    {
        var protocols = new List<(string Name, byte[] Metadata)>(request.Protocols.Count);
        foreach (var protocol in request.Protocols)
        {
            protocols.Add((protocol.Name, protocol.Metadata));
        }

        var clientHost = context.RemoteEndPoint is IPEndPoint ip ? "/" + ip.Address : "";
        var result = await coordinator.JoinGroupAsync(
            request.GroupId,
            request.MemberId,
            request.GroupInstanceId,
            request.ProtocolType,
            protocols,
            request.SessionTimeoutMs,
            context.ApiVersion >= 1 ? request.RebalanceTimeoutMs : -1,
            context.ClientId ?? "",
            clientHost,
            requireKnownMemberId: context.ApiVersion >= 4,
            supportsSkipAssignment: context.ApiVersion >= 9);

        var response = new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName ?? (context.ApiVersion >= 7 ? null : ""),
            Leader = result.LeaderId,
            MemberId = result.MemberId,
            SkipAssignment = result.SkipAssignment,
        };
        if (result.Members is not null)
        {
            foreach (var (memberId, instanceId, metadata) in result.Members)
            {
                response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember { MemberId = memberId, GroupInstanceId = instanceId, Metadata = metadata });
            }
        }

        return response;
    }
}
