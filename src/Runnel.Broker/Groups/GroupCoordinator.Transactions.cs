using Runnel.Protocol;
using Runnel.Protocol.Records;
using Runnel.Storage.Producers;

namespace Runnel.Broker.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>Groups holding pending transactional offsets, by <c>__consumer_offsets</c> partition and producer id (Kafka's <c>openTransactionsByGroup</c>, inverted).</summary>
    private readonly Dictionary<(int Partition, long ProducerId), HashSet<string>> _openTransactions = new();

    /// <summary>The <c>__consumer_offsets</c> partition of <paramref name="groupId"/> (AddOffsetsToTxn adds it to the transaction).</summary>
    public int OffsetsPartitionFor(string groupId) => PartitionFor(groupId);

    /// <summary>
    /// TxnOffsetCommit (KIP-98, KIP-447): checks the member and generation as for a transactional
    /// commit (a generation below 0 is a commit without group membership; a classic group in
    /// CompletingRebalance still takes it), appends the offsets as a batch of the producer's
    /// transaction, and keeps them pending until the transaction's marker: visible after a commit,
    /// gone after an abort. Returns one error per entry.
    /// </summary>
    public Task<ErrorCode[]> CommitTransactionalOffsetsAsync(
        string groupId, long producerId, short producerEpoch, int generationId, string memberId, string? groupInstanceId, IReadOnlyList<OffsetCommitEntry> entries,
        ITransactionVerifier? verifier = null) =>
        CommitAsync(groupId, generationId, memberId, groupInstanceId, entries, apiVersion: 9, new TransactionalCommit(producerId, producerEpoch, verifier));

    private void AddPendingOffset(CoordinatedGroup group, long producerId, string topic, int partition, CommittedOffset offset)
    {
        if (!group.PendingTransactionalOffsets.TryGetValue(producerId, out var offsets))
        {
            group.PendingTransactionalOffsets[producerId] = offsets = new();
        }

        offsets[(topic, partition)] = offset;
        if (!_openTransactions.TryGetValue((group.OffsetsPartition, producerId), out var groups))
        {
            _openTransactions[(group.OffsetsPartition, producerId)] = groups = new(StringComparer.Ordinal);
        }

        groups.Add(group.GroupId);
    }

    /// <summary>
    /// Ends a producer's transaction in one <c>__consumer_offsets</c> partition (called by the
    /// transaction coordinator): appends the marker through the writer, so it follows the
    /// transaction's offset batches, then applies (commit) or drops (abort) its pending offsets.
    /// </summary>
    public Task<ErrorCode> CompleteTransactionAsync(int offsetsPartition, long producerId, short producerEpoch, bool commit)
    {
        if (!_load.IsLoaded)
        {
            return Task.FromResult(ErrorCode.CoordinatorLoadInProgress);
        }

        var write = new PendingWrite(offsetsPartition, [], _ => ApplyMarkerLocked(offsetsPartition, producerId, commit))
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            Marker = commit ? ControlRecordType.Commit : ControlRecordType.Abort,
        };
        Enqueue(write);
        return write.Done.Task;
    }

    /// <summary>
    /// Kafka's <c>replayEndTransactionMarker</c>: a commit moves the producer's pending offsets into
    /// the committed ones, unless a later plain commit already replaced them; an abort drops them.
    /// </summary>
    private void ApplyMarkerLocked(int offsetsPartition, long producerId, bool commit)
    {
        if (!_openTransactions.Remove((offsetsPartition, producerId), out var groups))
        {
            return;
        }

        foreach (var groupId in groups)
        {
            if (!_groups.TryGetValue(groupId, out var group) || !group.PendingTransactionalOffsets.Remove(producerId, out var offsets) || !commit)
            {
                continue;
            }

            foreach (var (key, offset) in offsets)
            {
                if (!group.Offsets.TryGetValue(key, out var current) || current.RecordOffset < offset.RecordOffset)
                {
                    group.Offsets[key] = offset;
                }
            }
        }
    }

    /// <summary>True when an open transaction holds an offset of the group for the partition.</summary>
    public bool HasPendingTransactionalOffset(string groupId, string topic, int partition)
    {
        lock (_lock)
        {
            return _groups.TryGetValue(groupId, out var group) && group.HasPendingTransactionalOffset(topic, partition);
        }
    }
}
