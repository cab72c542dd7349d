using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>
/// ListTransactions (key 66), versions 0–1 (KIP-664): transactional ids filtered by state and
/// producer id; v1 adds the duration filter (KIP-994: only transactions open longer than it).
/// Unknown state names are echoed back in UnknownStateFilters and match nothing.
/// </summary>
public sealed class ListTransactionsHandler(TransactionCoordinator coordinator) : RequestHandler<ListTransactionsRequest>
{
    public override ApiKey ApiKey => ApiKey.ListTransactions;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, ListTransactionsRequest request)
    {
        var response = new ListTransactionsResponse();
        var states = new HashSet<TransactionState>();
        foreach (var name in request.StateFilters)
        {
            if (TransactionStates.TryParse(name, out var state))
            {
                states.Add(state);
            }
            else
            {
                response.UnknownStateFilters.Add(name);
            }
        }

        if (states.Count == 0 && response.UnknownStateFilters.Count > 0)
        {
            // Only unknown states asked for: nothing can match.
            return new ValueTask<IApiMessage?>(response);
        }

        var (error, transactions) = coordinator.List(states, new HashSet<long>(request.ProducerIdFilters), request.DurationFilter);
        response.ErrorCode = (short)error;
        foreach (var (transactionalId, producerId, state) in transactions)
        {
            response.TransactionStates.Add(new ListTransactionsResponse.TransactionStateStruct
            {
                TransactionalId = transactionalId,
                ProducerId = producerId,
                TransactionState = state.Name(),
            });
        }

        return new ValueTask<IApiMessage?>(response);
    }
}
