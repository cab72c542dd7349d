namespace Runnel.Storage.Cleaner;

/// <summary>
/// What the cleaner does with one stored batch (Kafka's <c>checkBatchRetention</c>). Whichever it
/// is, a batch that must remain (a producer's last, or the last of its group) is kept as an empty
/// batch rather than dropped.
/// </summary>
public enum CleanerBatchAction
{
    /// <summary>
    /// Data: its keyed records go into the offset map, and cleaning keeps only the latest version of
    /// each key (tombstones until their delete horizon). A batch left with no record is dropped.
    /// </summary>
    Filter,

    /// <summary>A transaction marker still needed (data of its transaction was read): copied unchanged.</summary>
    Keep,

    /// <summary>
    /// A transaction marker no longer needed: the first clean to find it so stamps its delete horizon
    /// (now + <c>delete.retention.ms</c>, KIP-534); it stays until a clean at or after the horizon.
    /// </summary>
    KeepUntilDeleteHorizon,

    /// <summary>Dropped whole and not mapped: aborted transactional data, an unneeded marker past its delete horizon, an emptied control batch.</summary>
    Discard,
}
