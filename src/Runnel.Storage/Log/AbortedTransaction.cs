using Runnel.Storage.Producers;

namespace Runnel.Storage.Log;

/// <summary>
/// One entry of the aborted-transaction index (Kafka's <c>AbortedTxn</c>, docs/formats/txn-index.md):
/// producer <see cref="ProducerId"/> aborted a transaction whose batches lie in
/// [<see cref="FirstOffset"/>, <see cref="LastOffset"/>], the offset of its ABORT marker.
/// <see cref="LastStableOffset"/> is the partition's last stable offset right after the marker: the
/// first offset of the oldest transaction of another producer still open then, or the marker's
/// offset + 1. A read_committed fetch uses it to stop looking: no transaction that starts below it
/// can end in a later entry.
/// </summary>
public readonly record struct AbortedTransaction(long ProducerId, long FirstOffset, long LastOffset, long LastStableOffset)
{
    /// <summary>
    /// The entry for a transaction a marker just aborted (Kafka's
    /// <c>ProducerStateManager.lastStableOffset(completedTxn)</c>). Call right after
    /// <see cref="ProducerStateManager.Record"/>, which has already removed this transaction from the
    /// open ones, so the first unstable offset left is the other producers' oldest.
    /// </summary>
    internal static AbortedTransaction After(in CompletedTransaction aborted, ProducerStateManager producers) =>
        new(aborted.ProducerId, aborted.FirstOffset, aborted.LastOffset, producers.FirstUnstableOffset ?? aborted.LastOffset + 1);
}
