using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// DeleteGroups (key 42), versions 0–2 (v2 flexible): deletes Empty groups with their committed
/// offsets; NON_EMPTY_GROUP for a group with members, GROUP_ID_NOT_FOUND for an unknown one. Each
/// group's result is sent once its tombstones are written to <c>__consumer_offsets</c>.
/// </summary>
public sealed class DeleteGroupsHandler(GroupCoordinator coordinator) : RequestHandler<DeleteGroupsRequest>
{
    public override ApiKey ApiKey => ApiKey.DeleteGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, DeleteGroupsRequest request)
    {
        var results = await coordinator.DeleteGroupsAsync(request.GroupsNames);
        var response = new DeleteGroupsResponse();
        foreach (var (groupId, error) in results)
        {
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }

        return response;
    }
}
