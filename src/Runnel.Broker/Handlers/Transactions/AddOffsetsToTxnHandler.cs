using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Storage.Log;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>
/// AddOffsetsToTxn (key 25), versions 0–4: adds the group's <c>__consumer_offsets</c> partition to
/// the transaction, so its marker reaches the offsets a TxnOffsetCommit then stores. v2 introduced
/// PRODUCER_FENCED (older versions get INVALID_PRODUCER_EPOCH); v3 is flexible.
/// </summary>
public sealed class AddOffsetsToTxnHandler(TransactionCoordinator coordinator, GroupCoordinator groups) : RequestHandler<AddOffsetsToTxnRequest>
{
    public override ApiKey ApiKey => ApiKey.AddOffsetsToTxn;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, AddOffsetsToTxnRequest request)
    {
        ErrorCode error;
        if (request.TransactionalId.Length == 0)
        {
            error = ErrorCode.InvalidRequest;
        }
        else if (request.GroupId.Length == 0)
        {
            error = ErrorCode.InvalidGroupId;
        }
        else if (!groups.Load.IsLoadedOrStart())
        {
            error = ErrorCode.CoordinatorLoadInProgress;
        }
        else
        {
            var partition = new TopicPartition(GroupCoordinator.OffsetsTopic, groups.OffsetsPartitionFor(request.GroupId));
            error = await coordinator.AddPartitionsAsync(request.TransactionalId, request.ProducerId, request.ProducerEpoch, [partition]);
        }

        return new AddOffsetsToTxnResponse { ErrorCode = (short)TransactionErrors.ForVersion(error, context.ApiVersion, firstVersionWithProducerFenced: 2) };
    }
}
