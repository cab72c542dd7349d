namespace Runnel.Storage.Producers;

/// <summary>What the producer state says about a batch about to be appended.</summary>
public enum ProducerCheckResult
{
    /// <summary>Append it.</summary>
    Append,

    /// <summary>A retry of a retained batch: answer with its original offsets, append nothing.</summary>
    Duplicate,

    /// <summary>OUT_OF_ORDER_SEQUENCE_NUMBER: a gap or a new epoch not starting at 0.</summary>
    OutOfOrderSequence,

    /// <summary>INVALID_PRODUCER_EPOCH: the producer has been fenced by a newer epoch.</summary>
    InvalidProducerEpoch,

    /// <summary>INVALID_TXN_STATE: a non-transactional batch from a producer with an open transaction.</summary>
    InvalidTxnState,

    /// <summary>The transaction coordinator did not confirm that the producer's transaction includes this partition (KIP-890).</summary>
    NotVerified,
}

/// <summary>The verdict, the original batch of a duplicate, and a message for a refusal.</summary>
public readonly record struct ProducerCheck(ProducerCheckResult Result, ProducerBatch Original, string? Message)
{
    public static ProducerCheck Append { get; } = new(ProducerCheckResult.Append, default, null);

    public static ProducerCheck DuplicateOf(ProducerBatch original) => new(ProducerCheckResult.Duplicate, original, null);
}
