using Runnel.Protocol;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Broker.Transactions;

/// <summary>
/// Verifies a transactional produce with the in-process coordinator (KIP-890 part 1) and keeps its
/// answer, so the Produce handler can map a refusal to the error the client's version expects.
/// One per transactional partition append.
/// </summary>
internal sealed class CoordinatorTransactionVerifier(TransactionCoordinator coordinator, string transactionalId, TopicPartition partition) : ITransactionVerifier
{
    /// <summary>The coordinator's answer to the last verification (NONE if it passed or none was needed).</summary>
    public ErrorCode Error { get; private set; }

    public bool Verify(long producerId, short producerEpoch)
    {
        Error = coordinator.VerifyPartition(transactionalId, producerId, producerEpoch, partition);
        return Error == ErrorCode.None;
    }

    /// <summary>
    /// The Produce error for a refused verification (Kafka's <c>ReplicaManager</c> mapping): a
    /// partition missing from the transaction is INVALID_TXN_STATE before v11 and TRANSACTION_ABORTABLE
    /// from it; a transient coordinator state is NOT_ENOUGH_REPLICAS, which clients retry without a
    /// metadata refresh; a fenced producer is INVALID_PRODUCER_EPOCH.
    /// </summary>
    public ErrorCode ProduceError(short produceVersion) => ProduceErrorFor(Error, produceVersion);

    /// <summary>The Produce error for a coordinator's refusal to verify or add a partition (see <see cref="ProduceError"/>).</summary>
    public static ErrorCode ProduceErrorFor(ErrorCode coordinatorError, short produceVersion) => coordinatorError switch
    {
        ErrorCode.TransactionAbortable => produceVersion >= 11 ? ErrorCode.TransactionAbortable : ErrorCode.InvalidTxnState,
        ErrorCode.ProducerFenced => ErrorCode.InvalidProducerEpoch,
        ErrorCode.ConcurrentTransactions or ErrorCode.CoordinatorLoadInProgress or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator => ErrorCode.NotEnoughReplicas,
        _ => coordinatorError,
    };
}
