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
/// one's sequence state. With a transactional id the transaction coordinator answers: the id's
/// producer id with a new epoch that fences older instances (see
/// <see cref="TransactionCoordinator.InitProducerIdAsync"/>). An empty transactional id is
/// INVALID_REQUEST, and so is a v3+ request that sends only one of producer id and epoch.
/// v2 is flexible; v3 adds the producer id and epoch; v4 introduced PRODUCER_FENCED (older versions
/// get INVALID_PRODUCER_EPOCH); v5 changes only client behaviour.
/// </summary>
public sealed class InitProducerIdHandler(ProducerIdManager producerIds, TransactionCoordinator transactions) : RequestHandler<InitProducerIdRequest>
{
    public override ApiKey ApiKey => ApiKey.InitProducerId;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        var response = new InitProducerIdResponse { ProducerId = -1, ProducerEpoch = -1 };
        if (request.TransactionalId is { Length: 0 } || (request.ProducerId < 0) != (request.ProducerEpoch < 0))
        {
            response.ErrorCode = (short)ErrorCode.InvalidRequest;
            return response;
        }

        if (request.TransactionalId is { } transactionalId)
        {
            var result = await transactions.InitProducerIdAsync(transactionalId, request.TransactionTimeoutMs, request.ProducerId, request.ProducerEpoch);
            response.ErrorCode = (short)TransactionErrors.ForVersion(result.Error, context.ApiVersion, firstVersionWithProducerFenced: 4);
            response.ProducerId = result.ProducerId;
            response.ProducerEpoch = result.ProducerEpoch;
            return response;
        }

        response.ProducerId = await producerIds.NextAsync(context.ConnectionClosed);
        response.ProducerEpoch = 0;
        return response;
    }
}
