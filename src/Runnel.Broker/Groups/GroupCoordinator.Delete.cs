using Runnel.Protocol;

namespace Runnel.Broker.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// DeleteGroups: an Empty group loses its committed offsets and its metadata (tombstones in
    /// <c>__consumer_offsets</c>, offsets first so a replay never sees offsets outliving their
    /// group); a group with members gets NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND. The
    /// group is gone from memory at once, so commits racing the delete start a new group whose
    /// records follow the tombstones. Completes when the tombstones are written.
    /// </summary>
    public async Task<List<(string GroupId, ErrorCode Error)>> DeleteGroupsAsync(IReadOnlyList<string> groupIds)
    {
        var results = new List<(string GroupId, ErrorCode Error)>(groupIds.Count);
        var writes = new List<(int Index, Task<ErrorCode> Written)>();
        lock (_lock)
        {
            foreach (var groupId in groupIds)
            {
                var error = ErrorCode.None;
                if (!_load.IsLoadedOrStart())
                {
                    error = ErrorCode.CoordinatorLoadInProgress;
                }
                else if (groupId.Length == 0)
                {
                    error = ErrorCode.InvalidGroupId;
                }
                else if (!_groups.TryGetValue(groupId, out var group) || (group.Consumer is null && group.State == GroupState.Dead))
                {
                    error = ErrorCode.GroupIdNotFound;
                }
                else if (!group.IsEmpty || group.PendingMembers.Count > 0)
                {
                    error = ErrorCode.NonEmptyGroup;
                }
                else
                {
                    var offsets = group.Offsets.Count;
                    writes.Add((results.Count, RemoveGroup(group)));
                    Log.GroupDeleted(_logger, groupId, offsets);
                }

                results.Add((groupId, error));
            }
        }

        foreach (var (index, written) in writes)
        {
            var error = await written;
            if (error != ErrorCode.None)
            {
                results[index] = (results[index].GroupId, error);
            }
        }

        return results;
    }

    /// <summary>
    /// OffsetDelete: removes committed offsets of chosen partitions. As in Kafka: an unknown or dead
    /// group is GROUP_ID_NOT_FOUND; a group with members is NON_EMPTY_GROUP unless it is a consumer
    /// group (classic "consumer" type or KIP-848), whose partitions of topics it still consumes each
    /// get GROUP_SUBSCRIBED_TO_TOPIC.
    /// Partitions with no committed offset succeed.
    /// </summary>
    public async Task<(ErrorCode Error, List<(string Topic, int Partition, ErrorCode Error)> Partitions)> DeleteOffsetsAsync(string groupId, IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)> topics)
    {
        var results = new List<(string Topic, int Partition, ErrorCode Error)>();
        Task<ErrorCode>? written = null;
        lock (_lock)
        {
            if (!_load.IsLoadedOrStart())
            {
                return (ErrorCode.CoordinatorLoadInProgress, results);
            }

            if (groupId.Length == 0)
            {
                return (ErrorCode.InvalidGroupId, results);
            }

            if (!_groups.TryGetValue(groupId, out var group) || (group.Consumer is null && group.State == GroupState.Dead))
            {
                return (ErrorCode.GroupIdNotFound, results);
            }

            // Live classic groups of other protocol types (Connect) have no topic list to check against.
            if (!group.IsEmpty && group.Consumer is null && group.ProtocolType != ConsumerProtocolSubscription.ProtocolType)
            {
                return (ErrorCode.NonEmptyGroup, results);
            }

            var removed = new List<(string Topic, int Partition)>();
            foreach (var (topic, partitions) in topics)
            {
                var subscribed = group.IsSubscribedTo(topic);
                foreach (var partition in partitions)
                {
                    if (subscribed)
                    {
                        results.Add((topic, partition, ErrorCode.GroupSubscribedToTopic));
                        continue;
                    }

                    // A pending transactional offset goes too; its tombstone is written even if nothing was committed yet (Kafka).
                    var pending = group.HasPendingTransactionalOffset(topic, partition);
                    group.RemovePendingTransactionalOffset(topic, partition);
                    if (group.Offsets.Remove((topic, partition)) || pending)
                    {
                        removed.Add((topic, partition));
                    }

                    results.Add((topic, partition, ErrorCode.None));
                }
            }

            if (removed.Count > 0)
            {
                written = QueueTombstones(group, removed, groupToo: false);
            }
        }

        if (written is not null)
        {
            var error = await written;
            if (error != ErrorCode.None)
            {
                for (var i = 0; i < results.Count; i++)
                {
                    if (results[i].Error == ErrorCode.None)
                    {
                        results[i] = (results[i].Topic, results[i].Partition, error);
                    }
                }
            }
        }

        return (ErrorCode.None, results);
    }

    /// <summary>
    /// A deleted topic takes its committed offsets with it in every group, as Kafka does, so a topic
    /// re-created under the same name does not start from the old topic's positions.
    /// </summary>
    private void OnTopicDeleted(string topic)
    {
        if (!_load.IsLoaded)
        {
            // The load removes offsets of topics that no longer exist once it completes.
            return;
        }

        lock (_lock)
        {
            RemoveOffsetsOfTopics(name => name == topic);
        }
    }

    /// <summary>After loading: drops offsets of topics deleted while the coordinator was not listening (caller holds the lock).</summary>
    private void RemoveOffsetsOfMissingTopics() => RemoveOffsetsOfTopics(name => !_partitions.TryGetTopic(name, out _));

    private void RemoveOffsetsOfTopics(Func<string, bool> gone)
    {
        var removed = new List<(string Topic, int Partition)>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in _groups.Values)
        {
            // Pending transactional offsets of the topic go too (Kafka's onTopicsDeleted), or a later
            // commit marker would bring them back.
            foreach (var key in group.AllOffsetKeys())
            {
                if (gone(key.Topic))
                {
                    removed.Add(key);
                }
            }

            if (removed.Count == 0)
            {
                continue;
            }

            foreach (var key in removed)
            {
                group.Offsets.Remove(key);
                group.RemovePendingTransactionalOffset(key.Topic, key.Partition);
                counts[key.Topic] = counts.GetValueOrDefault(key.Topic) + 1;
            }

            _ = QueueTombstones(group, removed, groupToo: false);
            removed = new();
        }

        foreach (var (topic, count) in counts)
        {
            Log.OffsetsOfDeletedTopicRemoved(_logger, topic, count);
        }
    }

    /// <summary>Forgets an empty group and queues tombstones for its offsets and metadata (caller holds the lock).</summary>
    private Task<ErrorCode> RemoveGroup(CoordinatedGroup group)
    {
        var keys = group.AllOffsetKeys();
        group.Offsets.Clear();
        group.PendingTransactionalOffsets.Clear();
        group.State = GroupState.Dead;
        _groups.Remove(group.GroupId);
        return QueueTombstones(group, keys, groupToo: true);
    }

    /// <summary>Queues tombstones for offsets of <paramref name="group"/> (and its metadata record last); caller holds the lock.</summary>
    private Task<ErrorCode> QueueTombstones(CoordinatedGroup group, List<(string Topic, int Partition)> offsets, bool groupToo)
    {
        var records = new List<(byte[] Key, byte[]? Value)>(offsets.Count + 1);
        foreach (var (topic, partition) in offsets)
        {
            records.Add((OffsetsTopicRecords.OffsetKey(group.GroupId, topic, partition), null));
        }

        if (groupToo)
        {
            // An empty consumer group has no member records left, only its group record.
            if (group.Consumer is not null)
            {
                records.Add((OffsetsTopicRecords.ConsumerGroupKey(group.GroupId), null));
                group.Consumer = null;
            }

            records.Add((OffsetsTopicRecords.GroupKey(group.GroupId), null));
        }

        // A commit queued before these tombstones is applied after the removal above: its record
        // precedes the tombstone in the log, so the tombstone wins again once written.
        var write = new PendingWrite(group.OffsetsPartition, records, firstOffset =>
        {
            for (var i = 0; i < offsets.Count; i++)
            {
                if (group.Offsets.TryGetValue(offsets[i], out var committed) && committed.RecordOffset < firstOffset + i)
                {
                    group.Offsets.Remove(offsets[i]);
                }
            }
        });
        Enqueue(write);
        return write.Done.Task;
    }
}
