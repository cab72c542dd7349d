namespace Runnel.Broker.Groups;

public sealed partial class GroupCoordinator
{
    private long _nextOffsetExpiryMs;

    /// <summary>Runs offset expiry from the tick every <c>offsets.retention.check.interval.ms</c> (caller holds the lock).</summary>
    private void MaybeExpireOffsets(long now)
    {
        if (now < _nextOffsetExpiryMs)
        {
            return;
        }

        _nextOffsetExpiryMs = now + _offsetsRetentionCheckIntervalMs;
        ExpireOffsets(now);
    }

    /// <summary>
    /// Kafka's offset expiry (KIP-211), caller holding the lock. In an Empty group an offset expires
    /// <c>offsets.retention.minutes</c> after the later of the group becoming empty and the commit
    /// (Kafka counts from the former only; counting from the later never drops a fresh admin
    /// commit). In a live consumer group (classic "consumer" type or KIP-848) only offsets of topics
    /// no member subscribes to expire,
    /// counted from the commit. Live groups of other protocol types keep theirs. An Empty group left
    /// with no offsets is deleted. Every removal is a tombstone in <c>__consumer_offsets</c>.
    /// </summary>
    private void ExpireOffsets(long now)
    {
        var started = _time.GetTimestamp();
        var offsetCount = 0;
        List<CoordinatedGroup>? emptied = null;
        foreach (var group in _groups.Values)
        {
            var empty = group.IsEmpty && group.PendingMembers.Count == 0;
            if (!empty && group.Consumer is null && group.ProtocolType != ConsumerProtocolSubscription.ProtocolType)
            {
                continue;
            }

            List<(string Topic, int Partition)>? expired = null;
            foreach (var (key, committed) in group.Offsets)
            {
                var expires = empty
                    ? now - Math.Max(group.EmptySinceMs, committed.CommitTimestampMs) >= _offsetsRetentionMs
                    : now - committed.CommitTimestampMs >= _offsetsRetentionMs && !group.IsSubscribedTo(key.Topic);
                // An offset an open transaction is about to replace does not expire (Kafka's OffsetExpirationCondition).
                if (expires && !group.HasPendingTransactionalOffset(key.Topic, key.Partition))
                {
                    (expired ??= new()).Add(key);
                }
            }

            if (expired is not null)
            {
                foreach (var key in expired)
                {
                    group.Offsets.Remove(key);
                }

                offsetCount += expired.Count;
                _ = QueueTombstones(group, expired, groupToo: false);
            }

            if (empty && group.Offsets.Count == 0 && group.PendingTransactionalOffsets.Count == 0)
            {
                (emptied ??= new()).Add(group);
            }
        }

        if (emptied is not null)
        {
            foreach (var group in emptied)
            {
                _ = RemoveGroup(group);
            }
        }

        if (offsetCount > 0 || emptied is not null)
        {
            Log.OffsetsExpired(_logger, offsetCount, emptied?.Count ?? 0, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
