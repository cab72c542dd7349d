using Runnel.Protocol;

namespace Runnel.Broker.Transactions;

public sealed partial class TransactionCoordinator
{
    /// <summary>DescribeTransactions: the state of one id, TRANSACTIONAL_ID_NOT_FOUND for an unknown (or expiring) one.</summary>
    public TransactionDescription Describe(string transactionalId)
    {
        if (!_load.IsLoadedOrStart())
        {
            return Missing(transactionalId, ErrorCode.CoordinatorLoadInProgress);
        }

        if (transactionalId.Length == 0)
        {
            return Missing(transactionalId, ErrorCode.InvalidRequest);
        }

        lock (_lock)
        {
            if (!_transactions.TryGetValue(transactionalId, out var metadata) || metadata.Pending == TransactionState.Dead)
            {
                return Missing(transactionalId, ErrorCode.TransactionalIdNotFound);
            }

            return new TransactionDescription(ErrorCode.None, transactionalId, metadata.State, metadata.TimeoutMs, metadata.StartMs,
                metadata.ProducerId, metadata.ProducerEpoch, [.. metadata.Partitions]);
        }
    }

    /// <summary>
    /// ListTransactions: the ids matching every given filter (states, producer ids, and with
    /// <paramref name="minDurationMs"/> ≥ 0 only those whose transaction started longer ago than that,
    /// whatever their state, an id that never started one included), as Kafka's <c>listTransactionStates</c>.
    /// </summary>
    public (ErrorCode Error, List<(string TransactionalId, long ProducerId, TransactionState State)> Transactions) List(
        IReadOnlyCollection<TransactionState> states, IReadOnlyCollection<long> producerIds, long minDurationMs)
    {
        var result = new List<(string, long, TransactionState)>();
        if (!_load.IsLoaded)
        {
            // A broker that has not created __transaction_state coordinates no transaction (Kafka
            // lists only the partitions it leads); listing does not create it.
            return (_load.IsStarted ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None, result);
        }

        var now = NowMs;
        lock (_lock)
        {
            foreach (var metadata in _transactions.Values)
            {
                if (metadata.Pending == TransactionState.Dead
                    || (states.Count > 0 && !states.Contains(metadata.State))
                    || (producerIds.Count > 0 && !producerIds.Contains(metadata.ProducerId))
                    || (minDurationMs >= 0 && now - metadata.StartMs <= minDurationMs))
                {
                    continue;
                }

                result.Add((metadata.TransactionalId, metadata.ProducerId, metadata.State));
            }
        }

        return (ErrorCode.None, result);
    }

    private static TransactionDescription Missing(string transactionalId, ErrorCode error) =>
        new(error, transactionalId, TransactionState.Dead, 0, -1, -1, -1, []);
}
