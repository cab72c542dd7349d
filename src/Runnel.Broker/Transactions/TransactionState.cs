namespace Runnel.Broker.Transactions;

/// <summary>
/// The states of a transactional id (Kafka's <c>TransactionState</c>), with Kafka's ids, which are
/// what <c>__transaction_state</c> stores, and names, which DescribeTransactions and
/// ListTransactions report.
/// </summary>
public enum TransactionState : byte
{
    /// <summary>No transaction open (after InitProducerId).</summary>
    Empty = 0,

    /// <summary>A partition or group offsets were added; records may be written.</summary>
    Ongoing = 1,

    /// <summary>Commit decided and durable; markers being written.</summary>
    PrepareCommit = 2,

    /// <summary>Abort decided and durable (by the producer, a timeout or a fence); markers being written.</summary>
    PrepareAbort = 3,

    /// <summary>Every commit marker written.</summary>
    CompleteCommit = 4,

    /// <summary>Every abort marker written.</summary>
    CompleteAbort = 5,

    /// <summary>Expired: only ever pending while its tombstone is written.</summary>
    Dead = 6,

    /// <summary>An ongoing transaction being fenced by a newer producer or a timeout: only ever pending.</summary>
    PrepareEpochFence = 7,
}

/// <summary>Kafka's rules and names for <see cref="TransactionState"/>.</summary>
public static class TransactionStates
{
    /// <summary>The state name Kafka's admin APIs report (also what ListTransactions filters by).</summary>
    public static string Name(this TransactionState state) => state switch
    {
        TransactionState.Empty => "Empty",
        TransactionState.Ongoing => "Ongoing",
        TransactionState.PrepareCommit => "PrepareCommit",
        TransactionState.PrepareAbort => "PrepareAbort",
        TransactionState.CompleteCommit => "CompleteCommit",
        TransactionState.CompleteAbort => "CompleteAbort",
        TransactionState.Dead => "Dead",
        _ => "PrepareEpochFence",
    };

    /// <summary>The state named <paramref name="name"/>, as ListTransactions' state filter spells it.</summary>
    public static bool TryParse(string name, out TransactionState state)
    {
        for (var candidate = TransactionState.Empty; candidate <= TransactionState.PrepareEpochFence; candidate++)
        {
            if (candidate.Name() == name)
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>No transaction is open: a new one may start, and the id may expire.</summary>
    public static bool IsIdle(this TransactionState state) =>
        state is TransactionState.Empty or TransactionState.CompleteCommit or TransactionState.CompleteAbort;
}
