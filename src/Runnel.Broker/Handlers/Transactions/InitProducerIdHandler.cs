using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>
/// InitProducerId (key 22), versions 0–5. Without a transactional id (an idempotent producer) it
/// hands out a new producer id with epoch 0, as Kafka's coordinator does, also when a v3+ client
/// sends its current id and epoch to recover (KIP-360): a fresh id cannot collide with the old
/// one's sequence state. An empty transactional id is INVALID_REQUEST. A transactional id needs the
/// transaction coordinator, which this broker does not run yet: COORDINATOR_NOT_AVAILABLE, the
/// answer FindCoordinator gives for transaction keys too (clients retry).
/// v2 is flexible; v3 adds the producer id and epoch; v4 and v5 change only client behaviour.
/// </summary>
public sealed class InitProducerIdHandler(ProducerIdManager producerIds) : RequestHandler<InitProducerIdRequest>
{
    public override ApiKey ApiKey => ApiKey.InitProducerId;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        var response = new InitProducerIdResponse { ProducerId = -1, ProducerEpoch = -1 };
        if (request.TransactionalId is { Length: 0 })
        {
            response.ErrorCode = (short)ErrorCode.InvalidRequest;
            return response;
        }

        if (request.TransactionalId is not null)
        {
            response.ErrorCode = (short)ErrorCode.CoordinatorNotAvailable;
            return response;
        }

        response.ProducerId = await producerIds.NextAsync(context.ConnectionClosed);
        response.ProducerEpoch = 0;
        return response;
    }
}
