using Runnel.Protocol;
using Runnel.Protocol.Records;
using Runnel.Storage.Producers;

namespace Runnel.Broker.Groups;

/// <summary>
/// Records queued for one <c>__consumer_offsets</c> partition. The writer appends them in queue
/// order, then calls <see cref="Applied"/> (under the coordinator's lock) with the offset of the first
/// record, then completes <see cref="Done"/>. A transactional write (<see cref="ProducerId"/> set) is
/// a batch of its own with the producer's id and epoch, as Kafka writes transactional offsets; with
/// <see cref="Marker"/> it is the control batch that ends that producer's transaction here.
/// </summary>
internal sealed class PendingWrite(int partition, List<(byte[] Key, byte[]? Value)> records, Action<long>? applied)
{
    public int Partition { get; } = partition;

    public List<(byte[] Key, byte[]? Value)> Records { get; } = records;

    public Action<long>? Applied { get; } = applied;

    /// <summary>The transactional producer whose offsets (or marker) these are, or -1.</summary>
    public long ProducerId { get; init; } = -1;

    public short ProducerEpoch { get; init; } = -1;

    /// <summary>Set for the commit or abort marker of <see cref="ProducerId"/>'s transaction (no records).</summary>
    public ControlRecordType? Marker { get; init; }

    public bool IsTransactional => ProducerId >= 0;

    /// <summary>KIP-890 for TxnOffsetCommit: asked under the partition's append lock before the batch may open the producer's transaction there.</summary>
    public ITransactionVerifier? Verifier { get; init; }

    public TaskCompletionSource<ErrorCode> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
