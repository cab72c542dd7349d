namespace Runnel.Broker.Groups;

/// <summary>The producer a TxnOffsetCommit commits for: its offsets are written as a batch of its transaction and stay pending until its marker.</summary>
internal readonly record struct TransactionalCommit(long ProducerId, short ProducerEpoch);
