namespace Runnel.Storage.Producers;

/// <summary>
/// KIP-890 part 1: asks the transaction coordinator whether the producer's ongoing transaction
/// includes this partition, before the partition accepts the first batch of a transaction from it.
/// Called under the partition's append lock, so no marker can be appended between the answer and
/// the write (the race Kafka closes with its verification guard); implementations must answer from
/// memory, without I/O or waiting.
/// </summary>
public interface ITransactionVerifier
{
    /// <summary>True if <paramref name="producerId"/> at <paramref name="producerEpoch"/> has an ongoing transaction this partition belongs to.</summary>
    bool Verify(long producerId, short producerEpoch);
}
