using Runnel.Protocol.Records;

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

/// <summary>
/// The transactions seam of the cleaner. Called for every batch in offset order, once while the
/// offset map is built (<c>mapping</c> true) and once while its segment is cleaned.
/// </summary>
/// <remarks>
/// <para>The exactly-once issue plugs in here, as Kafka's <c>CleanedTransactionMetadata</c> and
/// <c>Cleaner.shouldDiscardBatch</c> do: aborted transactional data (from the aborted-transaction
/// index, <c>.txnindex</c>) → <see cref="CleanerBatchAction.Discard"/> in both phases (so it neither
/// enters the map nor survives); a producer's last data batch → <see cref="CleanerBatchAction.FilterRetainEmpty"/>;
/// a transaction marker whose transaction has no data left and whose delete horizon has passed →
/// <see cref="CleanerBatchAction.Discard"/>. It needs state built from the log (producer snapshots,
/// aborted ranges), so the policy will be created per clean, not shared.</para>
/// <para>The default (<see cref="DefaultCleanerBatchPolicy"/>) keeps control batches and treats every
/// data batch alike, transactional or not (correct while Runnel has no transactions).</para>
/// </remarks>
public interface ICleanerBatchPolicy
{
    CleanerBatchAction Decide(in RecordBatchHeader batch, bool mapping);
}

/// <summary>Control batches are kept unchanged; data batches are filtered. Stateless.</summary>
public sealed class DefaultCleanerBatchPolicy : ICleanerBatchPolicy
{
    public static DefaultCleanerBatchPolicy Instance { get; } = new();

    private DefaultCleanerBatchPolicy()
    {
    }

    public CleanerBatchAction Decide(in RecordBatchHeader batch, bool mapping) =>
        batch.IsControl ? CleanerBatchAction.Keep : CleanerBatchAction.Filter;
}
