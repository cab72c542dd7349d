using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// ListGroups (key 16), versions 0–5. v3 is flexible; v4 adds the states filter and each group's
/// state (KIP-518); v5 adds the types filter and each group's type (KIP-848: "classic", or
/// "consumer" for consumer-protocol groups, which report their KIP-848 state: Empty, Assigning,
/// Reconciling, Stable). Filters match case-insensitively, as Kafka does. While the coordinator is
/// still loading it answers COORDINATOR_LOAD_IN_PROGRESS.
/// </summary>
public sealed class ListGroupsHandler(GroupCoordinator coordinator) : RequestHandler<ListGroupsRequest>
{
    public override ApiKey ApiKey => ApiKey.ListGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, ListGroupsRequest request)
    {
        var response = new ListGroupsResponse();
        if (!coordinator.IsLoaded)
        {
            // A broker that has not created __consumer_offsets coordinates no group (Kafka lists only
            // the partitions it leads): an empty list. Listing does not create the topic.
            response.ErrorCode = (short)(coordinator.Load.IsStarted ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None);
            return new ValueTask<IApiMessage?>(response);
        }

        var types = request.TypesFilter;
        var states = request.StatesFilter;
        foreach (var group in coordinator.ListGroups())
        {
            var state = group.State;
            if (states.Count > 0 && !states.Exists(s => string.Equals(s, state, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (types.Count > 0 && !types.Exists(t => string.Equals(t, group.Type, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            response.Groups.Add(new ListGroupsResponse.ListedGroup
            {
                GroupId = group.GroupId,
                ProtocolType = group.ProtocolType,
                GroupState = state,
                GroupType = group.Type,
            });
        }

        response.Groups.Sort(static (a, b) => string.CompareOrdinal(a.GroupId, b.GroupId));
        return new ValueTask<IApiMessage?>(response);
    }
}
