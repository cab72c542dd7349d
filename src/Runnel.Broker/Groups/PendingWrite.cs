using Runnel.Protocol;

namespace Runnel.Broker.Groups;

/// <summary>
/// Records queued for one <c>__consumer_offsets</c> partition. The writer appends them in queue
/// order, then calls <see cref="Applied"/> (under the coordinator's lock) with the offset of the first
/// record, then completes <see cref="Done"/>.
/// </summary>
internal sealed class PendingWrite(int partition, List<(byte[] Key, byte[]? Value)> records, Action<long>? applied)
{
    public int Partition { get; } = partition;

    public List<(byte[] Key, byte[]? Value)> Records { get; } = records;

    public Action<long>? Applied { get; } = applied;

    public TaskCompletionSource<ErrorCode> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
