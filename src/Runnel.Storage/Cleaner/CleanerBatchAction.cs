namespace Runnel.Storage.Cleaner;

/// <summary>What the cleaner does with one stored batch.</summary>
public enum CleanerBatchAction
{
    /// <summary>
    /// Data: its keyed records go into the offset map, and cleaning keeps only the latest version of
    /// each key (tombstones until their delete horizon). A batch left with no record is dropped.
    /// </summary>
    Filter,

    /// <summary>
    /// Like <see cref="Filter"/>, but a batch left with no record is kept as an empty batch (header only,
    /// same base and last offset): Kafka's <c>RETAIN_EMPTY</c>, for the batch holding a producer's
    /// last sequence number, which idempotent producers need after compaction.
    /// </summary>
    FilterRetainEmpty,

    /// <summary>Copied unchanged and not mapped (control batches: transaction markers).</summary>
    Keep,

    /// <summary>Dropped whole and not mapped (aborted transactional data, once transactions exist).</summary>
    Discard,
}
