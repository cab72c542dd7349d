using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>
/// EndTxn (key 26), versions 0–4: commits or aborts the producer's transaction, answered once every
/// marker is written (see <see cref="TransactionCoordinator"/>). v2 introduced PRODUCER_FENCED
/// (older versions get INVALID_PRODUCER_EPOCH); v3 is flexible. v5 (KIP-890 part 2, an epoch bump
/// on every commit) is not offered, so clients stay on the protocol this coordinator speaks.
/// </summary>
public sealed class EndTxnHandler(TransactionCoordinator coordinator) : RequestHandler<EndTxnRequest>
{
    public override ApiKey ApiKey => ApiKey.EndTxn;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, EndTxnRequest request)
    {
        var error = request.TransactionalId.Length == 0
            ? ErrorCode.InvalidRequest
            : await coordinator.EndTransactionAsync(request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.Committed);
        return new EndTxnResponse { ErrorCode = (short)TransactionErrors.ForVersion(error, context.ApiVersion, firstVersionWithProducerFenced: 2) };
    }
}
