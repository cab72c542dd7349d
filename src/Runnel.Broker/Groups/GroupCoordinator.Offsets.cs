using Runnel.Protocol;

namespace Runnel.Broker.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// OffsetCommit: checks the member and generation as Kafka's classic coordinator does (generation
    /// -1 on an empty group is a "simple" commit), or for a consumer-protocol group the member and
    /// its epoch (KIP-848, OffsetCommit v9), appends one record per partition, and completes once
    /// they are appended (and flushed when the topic asks for it). Returns one error per entry.
    /// </summary>
    public Task<ErrorCode[]> CommitOffsetsAsync(string groupId, int generationId, string memberId, string? groupInstanceId, IReadOnlyList<OffsetCommitEntry> entries, short apiVersion = 9) =>
        CommitAsync(groupId, generationId, memberId, groupInstanceId, entries, apiVersion, transaction: null);

    /// <summary>
    /// The commit path of OffsetCommit and (with <paramref name="transaction"/>) TxnOffsetCommit: the
    /// group checks, one record per accepted entry, appended by the writer; a plain commit updates the
    /// committed offsets once written, a transactional one makes them pending for the producer.
    /// </summary>
    private async Task<ErrorCode[]> CommitAsync(
        string groupId, int generationId, string memberId, string? groupInstanceId, IReadOnlyList<OffsetCommitEntry> entries, short apiVersion, TransactionalCommit? transaction)
    {
        var errors = new ErrorCode[entries.Count];
        var groupError = ErrorCode.None;
        PendingWrite? write = null;
        if (!_load.IsLoadedOrStart())
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

                if (group?.Consumer is not null && transaction is not null && generationId < 0 && memberId.Length == 0 && groupInstanceId is null)
                {
                    // Kafka's ConsumerGroup.validateOffsetCommit: a TxnOffsetCommit without member fields
                    // (v0–2 clients, KafkaJS) needs no membership.
                    groupError = ErrorCode.None;
                }
                else if (group?.Consumer is { } consumer)
                {
                    groupError = transaction is null
                        ? CheckConsumerCommit(consumer, generationId, memberId, apiVersion)
                        : CheckConsumerCommit(consumer, generationId, memberId, apiVersion: 9) is var error && error == ErrorCode.StaleMemberEpoch
                            ? ErrorCode.IllegalGeneration // Kafka's mapping for TxnOffsetCommit, which carries the member epoch as its generation.
                            : error;
                }
                else if (group is not null)
                {
                    groupError = CheckCommit(group, generationId, memberId, groupInstanceId, now, transactional: transaction is not null);
                }

                if (groupError == ErrorCode.None)
                {
                    write = QueueOffsets(group!, entries, errors, now, transaction);
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
                // Kafka's answer when the commit's records do not fit in one batch.
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

    /// <summary>Queues one record per entry whose metadata fits (the rest get OFFSET_METADATA_TOO_LARGE); caller holds the lock.</summary>
    private PendingWrite? QueueOffsets(CoordinatedGroup group, IReadOnlyList<OffsetCommitEntry> entries, ErrorCode[] errors, long now, TransactionalCommit? transaction)
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
                var offset = new CommittedOffset(entry.Offset, entry.LeaderEpoch, entry.Metadata, now, firstOffset + j);
                var key = (entry.Topic, entry.Partition);
                if (transaction is { } pending)
                {
                    AddPendingOffset(group, pending.ProducerId, entry.Topic, entry.Partition, offset);
                }
                else if (!group.Offsets.TryGetValue(key, out var current) || current.RecordOffset < offset.RecordOffset)
                {
                    group.Offsets[key] = offset;
                }
            }
        })
        {
            ProducerId = transaction?.ProducerId ?? -1,
            ProducerEpoch = transaction?.ProducerEpoch ?? -1,
            Verifier = transaction?.Verifier,
        };
        Enqueue(write);
        return write;
    }

    /// <summary>
    /// Kafka's <c>ClassicGroup.validateOffsetCommit</c>. A <paramref name="transactional"/> commit
    /// (TxnOffsetCommit) without member and generation is accepted in any state, and one with them is
    /// accepted during CompletingRebalance too.
    /// </summary>
    private static ErrorCode CheckCommit(CoordinatedGroup group, int generationId, string memberId, string? groupInstanceId, long now, bool transactional = false)
    {
        if (group.State == GroupState.Dead)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        if (generationId < 0 && group.State == GroupState.Empty)
        {
            return ErrorCode.None;
        }

        // Kafka's ClassicGroup.validateOffsetCommit order: the member and generation first, the
        // rebalance state last, so a fenced or unknown member learns so even mid-rebalance.
        GroupMember? member = null;
        if (generationId >= 0 || memberId.Length > 0 || groupInstanceId is not null)
        {
            var memberError = group.ValidateMember(memberId, groupInstanceId, out member);
            if (memberError != ErrorCode.None)
            {
                return memberError;
            }

            if (generationId != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }
        }
        else
        {
            // No member and no generation: only an Empty group takes such a commit (handled above),
            // or a transactional one (KIP-447 producers without group metadata).
            return transactional ? ErrorCode.None : ErrorCode.UnknownMemberId;
        }

        if (!transactional && group.State == GroupState.CompletingRebalance)
        {
            return ErrorCode.RebalanceInProgress;
        }

        // A commit shows the member is alive, as a heartbeat does.
        member!.SessionDeadlineMs = now + member.SessionTimeoutMs;
        return ErrorCode.None;
    }

    /// <summary>
    /// OffsetFetch for one group: the committed offsets of the requested partitions (offset -1 when
    /// none), or of every partition the group committed when <paramref name="topics"/> is null. For a
    /// consumer-protocol group, OffsetFetch v9's member id and epoch are checked as Kafka does.
    /// </summary>
    public (ErrorCode Error, List<(string Topic, List<(int Partition, CommittedOffset? Offset)> Partitions)> Topics) FetchOffsets(string groupId, IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)>? topics, string? memberId = null, int memberEpoch = -1)
    {
        var result = new List<(string Topic, List<(int Partition, CommittedOffset? Offset)> Partitions)>();
        if (!_load.IsLoadedOrStart())
        {
            return (ErrorCode.CoordinatorLoadInProgress, result);
        }

        lock (_lock)
        {
            _groups.TryGetValue(groupId, out var group);
            if (group?.Consumer is { } consumer && CheckConsumerFetch(consumer, memberId, memberEpoch) is var fetchError && fetchError != ErrorCode.None)
            {
                return (fetchError, result);
            }

            if (topics is null)
            {
                if (group is null)
                {
                    return (ErrorCode.None, result);
                }

                var byTopic = new Dictionary<string, List<(int Partition, CommittedOffset? Offset)>>(StringComparer.Ordinal);
                foreach (var ((topic, partition), offset) in group.Offsets)
                {
                    if (!byTopic.TryGetValue(topic, out var list))
                    {
                        byTopic[topic] = list = new();
                        result.Add((topic, list));
                    }

                    list.Add((partition, offset));
                }

                return (ErrorCode.None, result);
            }

            foreach (var (topic, partitions) in topics)
            {
                var list = new List<(int Partition, CommittedOffset? Offset)>(partitions.Count);
                foreach (var partition in partitions)
                {
                    CommittedOffset? offset = group is not null && group.Offsets.TryGetValue((topic, partition), out var committed) ? committed : null;
                    list.Add((partition, offset));
                }

                result.Add((topic, list));
            }

            return (ErrorCode.None, result);
        }
    }
}
