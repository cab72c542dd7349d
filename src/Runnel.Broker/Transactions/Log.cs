using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Transactions;

/// <summary>Log messages of the transaction coordinator (event ids 2500–2599).</summary>
internal static partial class Log
{
    [LoggerMessage(2500, LogLevel.Information, "Transaction coordinator loaded {PartitionCount} __transaction_state partition(s): {RecordCount} record(s), {TransactionCount} transactional id(s), {PendingCount} transaction(s) to complete, in {ElapsedMs} ms")]
    public static partial void Loaded(ILogger logger, int partitionCount, long recordCount, int transactionCount, int pendingCount, long elapsedMs);

    [LoggerMessage(2501, LogLevel.Error, "The transaction coordinator could not load __transaction_state; transactional requests keep getting COORDINATOR_LOAD_IN_PROGRESS")]
    public static partial void LoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(2502, LogLevel.Error, "Writing to __transaction_state partition {Partition} failed")]
    public static partial void WriteFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(2503, LogLevel.Warning, "Writing the {Result} marker of transactional id {TransactionalId} (producer {ProducerId}, epoch {ProducerEpoch}) to {Topic}-{Partition} failed; retrying in {BackoffMs} ms")]
    public static partial void MarkerWriteFailed(ILogger logger, string result, string transactionalId, long producerId, short producerEpoch, string topic, int partition, long backoffMs, Exception exception);

    [LoggerMessage(2504, LogLevel.Warning, "{Topic}-{Partition} refused the {Result} marker of transactional id {TransactionalId} (producer {ProducerId}, epoch {ProducerEpoch}): {Reason}")]
    public static partial void MarkerRefused(ILogger logger, string topic, int partition, string result, string transactionalId, long producerId, short producerEpoch, string? reason);

    [LoggerMessage(2505, LogLevel.Information, "Aborting the transaction of {TransactionalId} (producer {ProducerId}): open for {OpenMs} ms, longer than its timeout of {TimeoutMs} ms")]
    public static partial void TimedOut(ILogger logger, string transactionalId, long producerId, long openMs, int timeoutMs);

    [LoggerMessage(2506, LogLevel.Information, "Fencing producer {ProducerId} epoch {ProducerEpoch} of {TransactionalId}: a new instance initialised while its transaction was open; aborting it")]
    public static partial void Fenced(ILogger logger, string transactionalId, long producerId, short producerEpoch);

    [LoggerMessage(2507, LogLevel.Information, "Transactional id {TransactionalId} expired after {IdleMs} ms without a transaction")]
    public static partial void Expired(ILogger logger, string transactionalId, long idleMs);

    [LoggerMessage(2508, LogLevel.Debug, "Transaction of {TransactionalId} (producer {ProducerId}, epoch {ProducerEpoch}) ended: {State}")]
    public static partial void Completed(ILogger logger, string transactionalId, long producerId, short producerEpoch, string state);

    [LoggerMessage(2509, LogLevel.Error, "Completing the transaction of {TransactionalId} failed unexpectedly; it is completed at the next start")]
    public static partial void CompletionFailed(ILogger logger, string transactionalId, Exception exception);
}
