using Runnel.Storage.Producers;

namespace Runnel.Broker.Groups;

/// <summary>
/// The producer a TxnOffsetCommit commits for: its offsets are written as a batch of its transaction
/// and stay pending until its marker. With a <paramref name="Verifier"/> the partition asks the
/// transaction coordinator (under its append lock) that the group's partition is in the transaction.
/// </summary>
internal readonly record struct TransactionalCommit(long ProducerId, short ProducerEpoch, ITransactionVerifier? Verifier);
