using Runnel.Protocol;
using Runnel.Protocol.Records;

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
    public async Task<ErrorCode[]> CommitTransactionalOffsetsAsync(
        string groupId, long producerId, short producerEpoch, int generationId, string memberId, string? groupInstanceId, IReadOnlyList<OffsetCommitEntry> entries)
    {
        var errors = new ErrorCode[entries.Count];
        var groupError = ErrorCode.None;
        PendingWrite? write = null;
        if (!_loaded)
        {
            groupError = ErrorCode.CoordinatorLoadInProgress;
        }
        else if (groupId.Length == 0)
        {
            groupError = ErrorCode.InvalidGroupId;
        }
        else
        {
            lock (_lock)
            {
                var now = NowMs;
                if (!_groups.TryGetValue(groupId, out var group))
                {
                    if (generationId >= 0)
                    {
                        groupError = ErrorCode.IllegalGeneration;
                    }
                    else
                    {
                        group = CreateGroup(groupId, now);
                    }
                }

                if (group?.Consumer is { } consumer)
                {
                    // KIP-848 groups: the epoch is the member epoch; a stale one is ILLEGAL_GENERATION here, as Kafka maps it.
                    groupError = CheckConsumerCommit(consumer, generationId, memberId, apiVersion: 9) is var error && error == ErrorCode.StaleMemberEpoch
                        ? ErrorCode.IllegalGeneration
                        : error;
                }
                else if (group is not null)
                {
                    groupError = CheckCommit(group, generationId, memberId, groupInstanceId, now, transactional: true);
                }

                if (groupError == ErrorCode.None)
                {
                    write = QueueTransactionalOffsets(group!, producerId, producerEpoch, entries, errors, now);
                }
            }
        }

        if (groupError != ErrorCode.None)
        {
            Array.Fill(errors, groupError);
            return errors;
        }

        if (write is not null)
        {
            var written = await write.Done.Task;
            if (written == ErrorCode.RecordListTooLarge)
            {
                written = ErrorCode.InvalidCommitOffsetSize;
            }

            if (written != ErrorCode.None)
            {
                for (var i = 0; i < errors.Length; i++)
                {
                    if (errors[i] == ErrorCode.None)
                    {
                        errors[i] = written;
                    }
                }
            }
        }

        return errors;
    }

    /// <summary>Queues the offset records of a TxnOffsetCommit as the producer's batch; they become pending once written (caller holds the lock).</summary>
    private PendingWrite? QueueTransactionalOffsets(CoordinatedGroup group, long producerId, short producerEpoch, IReadOnlyList<OffsetCommitEntry> entries, ErrorCode[] errors, long now)
    {
        var records = new List<(byte[] Key, byte[]? Value)>(entries.Count);
        var accepted = new List<int>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Metadata is not null && entry.Metadata.Length > OffsetMetadataMaxBytes)
            {
                errors[i] = ErrorCode.OffsetMetadataTooLarge;
                continue;
            }

            accepted.Add(i);
            records.Add((OffsetsTopicRecords.OffsetKey(group.GroupId, entry.Topic, entry.Partition), OffsetsTopicRecords.OffsetValue(entry.Offset, entry.LeaderEpoch, entry.Metadata, now)));
        }

        if (records.Count == 0)
        {
            return null;
        }

        var write = new PendingWrite(group.OffsetsPartition, records, firstOffset =>
        {
            for (var j = 0; j < accepted.Count; j++)
            {
                var entry = entries[accepted[j]];
                AddPendingOffset(group, producerId, entry.Topic, entry.Partition, new CommittedOffset(entry.Offset, entry.LeaderEpoch, entry.Metadata, now, firstOffset + j));
            }
        })
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
        };
        _writes.Writer.TryWrite(write);
        return write;
    }

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
        if (!_loaded)
        {
            return Task.FromResult(ErrorCode.CoordinatorLoadInProgress);
        }

        var write = new PendingWrite(offsetsPartition, [], _ => ApplyMarkerLocked(offsetsPartition, producerId, commit))
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            Marker = commit ? ControlRecordType.Commit : ControlRecordType.Abort,
        };
        _writes.Writer.TryWrite(write);
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
