using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>
/// EndTxn (key 26), versions 0–5: commits or aborts the producer's transaction, answered once every
/// marker is written (see <see cref="TransactionCoordinator"/>). v2 introduced PRODUCER_FENCED
/// (older versions get INVALID_PRODUCER_EPOCH); v3 is flexible; v5 is KIP-890 part 2 (transaction
/// version 2): every EndTxn bumps the epoch and the response carries the producer id and epoch
/// for the next transaction.
/// </summary>
public sealed class EndTxnHandler(TransactionCoordinator coordinator) : RequestHandler<EndTxnRequest>
{
    /// <summary>The first version that speaks transaction version 2 (Kafka's <c>isTransactionV2Requested</c>).</summary>
    public const short FirstTransactionV2Version = 5;

    public override ApiKey ApiKey => ApiKey.EndTxn;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, EndTxnRequest request)
    {
        var result = request.TransactionalId.Length == 0
            ? new EndTxnResult(ErrorCode.InvalidRequest)
            : await coordinator.EndTransactionAsync(request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.Committed,
                transactionV2: context.ApiVersion >= FirstTransactionV2Version);
        return new EndTxnResponse
        {
            ErrorCode = (short)TransactionErrors.ForVersion(result.Error, context.ApiVersion, firstVersionWithProducerFenced: 2),
            ProducerId = result.ProducerId,
            ProducerEpoch = result.ProducerEpoch,
        };
    }
}
