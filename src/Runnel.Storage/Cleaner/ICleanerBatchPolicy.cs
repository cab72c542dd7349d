using Runnel.Protocol.Records;

namespace Runnel.Storage.Cleaner;

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
