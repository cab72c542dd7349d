using System.Collections.Immutable;
using Runnel.Broker.Groups.Consumer;
using Runnel.Broker.Metadata;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Broker.Groups;

/// <summary>
/// The consumer group protocol (KIP-848), as Kafka 4.0's <c>GroupMetadataManager</c> runs it: each
/// ConsumerGroupHeartbeat (1) creates or updates the member and bumps the group epoch when the
/// membership, a subscription or the subscribed topics changed, (2) recomputes the target assignment
/// with the server-side assignor when the group epoch is ahead of it, and (3) moves the member one
/// step towards its target (<see cref="Reconciler"/>). Session and revocation timeouts and topic
/// changes are handled by the coordinator's tick. Every change is appended to
/// <c>__consumer_offsets</c> (records 3–6) and the heartbeat is answered once it is written.
/// </summary>
/// <remarks>
/// State changes are applied in memory under the lock, then queued for the single writer in the same
/// order; should the append fail the member gets the error and retries, and the in-memory state is
/// kept (Kafka reverts it; a failed append here means the log directory went offline). Online
/// migration of a non-empty classic group to the consumer protocol (and back) is not implemented:
/// such a heartbeat gets GROUP_ID_NOT_FOUND and such a JoinGroup INCONSISTENT_GROUP_PROTOCOL.
/// </remarks>
public sealed partial class GroupCoordinator
{
    private readonly IConsumerGroupAssignor[] _consumerAssignors = [];
    private readonly int _consumerSessionTimeoutMs;
    private readonly int _consumerHeartbeatIntervalMs;
    private readonly int _consumerMaxSize;

    /// <summary>ConsumerGroupHeartbeat: join, heartbeat, acknowledge revocations, or leave (epoch -1 / -2).</summary>
    public async Task<ConsumerGroupHeartbeatResult> ConsumerGroupHeartbeatAsync(ConsumerGroupHeartbeatRequest request, short version, string clientId, string clientHost)
    {
        if (ValidateHeartbeat(request, version) is { } invalid)
        {
            return invalid;
        }

        if (!_load.IsLoadedOrStart())
        {
            return ConsumerGroupHeartbeatResult.Fail(ErrorCode.CoordinatorLoadInProgress, null);
        }

        ConsumerGroupHeartbeatResult result;
        Task<ErrorCode>? persisted = null;
        lock (_lock)
        {
            var now = NowMs;
            ConsumerChanges? changes;
            result = request.MemberEpoch < 0
                ? LeaveConsumerGroup(request, out changes)
                : HeartbeatConsumerGroup(request, clientId, clientHost, now, out changes);
            if (changes is not null)
            {
                persisted = PersistConsumerChanges(changes);
            }
        }

        if (persisted is not null)
        {
            var error = await persisted;
            if (error != ErrorCode.None)
            {
                return ConsumerGroupHeartbeatResult.Fail(error, null);
            }
        }

        return result;
    }

    /// <summary>Kafka 4.0's <c>throwIfConsumerGroupHeartbeatRequestIsInvalid</c>.</summary>
    private ConsumerGroupHeartbeatResult? ValidateHeartbeat(ConsumerGroupHeartbeatRequest request, short version)
    {
        // v1 (KIP-1082): the client generates its member id, so it is never empty.
        if ((version >= 1 || request.MemberEpoch > 0 || request.MemberEpoch == ConsumerGroupMember.LeaveGroupMemberEpoch) && IsBlank(request.MemberId))
        {
            return Invalid("MemberId can't be empty.");
        }

        if (IsBlank(request.GroupId))
        {
            return Invalid("GroupId can't be empty.");
        }

        if (request.InstanceId is not null && IsBlank(request.InstanceId))
        {
            return Invalid("InstanceId can't be empty.");
        }

        if (request.RackId is not null && IsBlank(request.RackId))
        {
            return Invalid("RackId can't be empty.");
        }

        if (request.MemberEpoch == 0)
        {
            if (request.RebalanceTimeoutMs == -1)
            {
                return Invalid("RebalanceTimeoutMs must be provided in first request.");
            }

            if (request.TopicPartitions is not { Count: 0 })
            {
                return Invalid("TopicPartitions must be empty when (re-)joining.");
            }

            if (request.SubscribedTopicNames is not { Count: > 0 } && string.IsNullOrEmpty(request.SubscribedTopicRegex))
            {
                return Invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
            }
        }
        else if (request.MemberEpoch == ConsumerGroupMember.LeaveGroupStaticMemberEpoch)
        {
            if (request.InstanceId is null)
            {
                return Invalid("InstanceId can't be null.");
            }
        }
        else if (request.MemberEpoch < ConsumerGroupMember.LeaveGroupStaticMemberEpoch)
        {
            return Invalid("MemberEpoch is invalid.");
        }

        if (request.ServerAssignor is { } assignor && FindAssignor(assignor) is null)
        {
            return ConsumerGroupHeartbeatResult.Fail(
                ErrorCode.UnsupportedAssignor,
                $"ServerAssignor {assignor} is not supported. Supported assignors: {string.Join(", ", _consumerAssignors.Select(a => a.Name))}.");
        }

        return null;

        static bool IsBlank(string value) => value.Trim().Length == 0;

        static ConsumerGroupHeartbeatResult Invalid(string message) => ConsumerGroupHeartbeatResult.Fail(ErrorCode.InvalidRequest, message);
    }

    private IConsumerGroupAssignor? FindAssignor(string name)
    {
        foreach (var assignor in _consumerAssignors)
        {
            if (assignor.Name == name)
            {
                return assignor;
            }
        }

        return null;
    }

    private ConsumerGroupHeartbeatResult HeartbeatConsumerGroup(ConsumerGroupHeartbeatRequest request, string clientId, string clientHost, long now, out ConsumerChanges? changes)
    {
        changes = null;
        var groupId = request.GroupId;
        var memberEpoch = request.MemberEpoch;
        var joining = memberEpoch == 0;
        _groups.TryGetValue(groupId, out var group);
        var consumer = group?.Consumer;
        if (consumer is null)
        {
            // Only a joining member creates the group, or takes over an empty classic one.
            if (!joining || (group is not null && !group.IsEmptyClassic))
            {
                return ConsumerGroupHeartbeatResult.Fail(ErrorCode.GroupIdNotFound, group is null ? $"Consumer group {groupId} not found." : $"Group {groupId} is not a consumer group.");
            }

            consumer = new ConsumerGroup();
        }

        var memberId = request.MemberId;
        if (consumer.Members.Count >= _consumerMaxSize && (memberId.Length == 0 || !consumer.Members.ContainsKey(memberId)))
        {
            return ConsumerGroupHeartbeatResult.Fail(ErrorCode.GroupMaxSizeReached, $"The consumer group has reached its maximum capacity of {_consumerMaxSize} members.");
        }

        if (memberId.Length == 0)
        {
            memberId = NewMemberId();
        }

        var owned = ToPartitions(request.TopicPartitions);
        ConsumerGroupMember member;
        ConsumerGroupMember? replaced = null;
        var isNew = false;
        if (request.InstanceId is not { } instanceId)
        {
            if (consumer.Members.TryGetValue(memberId, out var existing))
            {
                if (CheckMemberEpoch(existing, memberEpoch, owned) is { } fenced)
                {
                    return fenced;
                }

                member = existing;
            }
            else if (joining)
            {
                member = new ConsumerGroupMember(memberId);
                isNew = true;
            }
            else
            {
                return ConsumerGroupHeartbeatResult.Fail(ErrorCode.UnknownMemberId, $"Member {memberId} is not a member of group {groupId}.");
            }
        }
        else
        {
            var existingStatic = consumer.StaticMembers.TryGetValue(instanceId, out var staticId) ? consumer.Members[staticId] : null;
            if (joining && existingStatic is null)
            {
                isNew = !consumer.Members.TryGetValue(memberId, out var existing);
                member = existing ?? new ConsumerGroupMember(memberId);
            }
            else if (joining)
            {
                // A static member comes back under a new member id: only once its previous instance
                // left temporarily (epoch -2) may it take over its place, assignment and target.
                if (existingStatic!.MemberEpoch != ConsumerGroupMember.LeaveGroupStaticMemberEpoch)
                {
                    return ConsumerGroupHeartbeatResult.Fail(
                        ErrorCode.UnreleasedInstanceId,
                        $"Static member {memberId} with instance id {instanceId} cannot join the group because the instance id is owned by {existingStatic.MemberId} member.");
                }

                member = existingStatic.CopyAs(memberId);
                member.Assignment = existingStatic.Assignment with { MemberEpoch = 0, PreviousMemberEpoch = 0 };
                replaced = existingStatic;
                isNew = true;
            }
            else
            {
                if (existingStatic is null)
                {
                    return ConsumerGroupHeartbeatResult.Fail(ErrorCode.UnknownMemberId, $"Instance id {instanceId} is unknown.");
                }

                if (existingStatic.MemberId != memberId)
                {
                    return ConsumerGroupHeartbeatResult.Fail(ErrorCode.FencedInstanceId, $"Static member {memberId} with instance id {instanceId} was fenced by member {existingStatic.MemberId}.");
                }

                if (CheckMemberEpoch(existingStatic, memberEpoch, owned) is { } fenced)
                {
                    return fenced;
                }

                member = existingStatic;
            }
        }

        // The new subscription; a null field keeps the previous value, an empty regex clears it.
        IReadOnlyList<string> names = request.SubscribedTopicNames is { } requested
            ? requested.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()
            : member.SubscribedTopicNames;
        var regex = request.SubscribedTopicRegex switch
        {
            null => member.SubscribedTopicRegex,
            "" => null,
            var pattern => pattern,
        };
        var subscriptionChanged = (isNew && replaced is null) || !names.SequenceEqual(member.SubscribedTopicNames) || regex != member.SubscribedTopicRegex;
        if (regex is not null && regex != member.SubscribedTopicRegex && !TopicRegex.TryCompile(regex, out _, out var reason))
        {
            return ConsumerGroupHeartbeatResult.Fail(ErrorCode.InvalidRegularExpression, $"SubscribedTopicRegex `{regex}` is not a valid regular expression: {reason}.");
        }

        // Past this point the request is accepted: mutate.
        if (group is null)
        {
            group = new CoordinatedGroup(groupId, PartitionFor(groupId));
            _groups.Add(groupId, group);
        }

        changes = new ConsumerChanges(group);
        if (group.Consumer is null)
        {
            // An empty classic group becomes a consumer group; its classic metadata record goes.
            changes.ClassicTombstone = group.GenerationId > 0 || group.MetadataRecordOffset >= 0;
            group.GenerationId = 0;
            group.ProtocolType = null;
            group.ProtocolName = null;
            group.LeaderId = null;
            group.State = GroupState.Empty;
            group.Consumer = consumer;
            changes.Metadata = true;
            Log.ConsumerGroupCreated(_logger, groupId);
        }

        var assignedBefore = member.Assignment.Assigned;
        var subscriptionBefore = isNew ? null : OffsetsTopicRecords.ConsumerMemberValue(member);
        if (replaced is not null)
        {
            var target = consumer.TargetOf(replaced.MemberId);
            consumer.RemoveMember(replaced.MemberId);
            changes.Removed.Add(replaced.MemberId);
            consumer.AddMember(member);
            consumer.TargetAssignment[member.MemberId] = target;
            changes.Targets.Add(member.MemberId);
            changes.Currents.Add(member.MemberId);
            Log.StaticMemberReplaced(_logger, groupId, member.InstanceId ?? "", replaced.MemberId, member.MemberId);
        }
        else if (isNew)
        {
            member.InstanceId = request.InstanceId;
            consumer.AddMember(member);
            changes.Currents.Add(member.MemberId);
            Log.ConsumerMemberJoined(_logger, groupId, member.MemberId);
        }

        if (request.RackId is not null)
        {
            member.RackId = request.RackId;
        }

        if (request.RebalanceTimeoutMs != -1)
        {
            member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        }

        if (request.ServerAssignor is not null)
        {
            member.ServerAssignor = request.ServerAssignor;
        }

        member.SubscribedTopicNames = names;
        member.SubscribedTopicRegex = regex;
        member.ClientId = clientId;
        member.ClientHost = clientHost;
        if (subscriptionBefore is null || !subscriptionBefore.AsSpan().SequenceEqual(OffsetsTopicRecords.ConsumerMemberValue(member)))
        {
            changes.Subscriptions.Add(member.MemberId);
        }

        // 1. The group epoch.
        var bump = subscriptionChanged;
        var image = _topics.Image;
        if (bump || !ReferenceEquals(consumer.CheckedImage, image))
        {
            bump |= RefreshSubscriptionMetadata(consumer, image);
        }

        if (bump)
        {
            BumpGroupEpoch(group, consumer, changes);
        }

        // 2. The target assignment.
        if (consumer.GroupEpoch > consumer.AssignmentEpoch)
        {
            ComputeTargetAssignment(group, consumer, changes);
        }

        // 3. The member's next step.
        Reconcile(consumer, member, owned, now, changes);
        member.SessionDeadlineMs = now + _consumerSessionTimeoutMs;

        // Kafka sends the assignment on a full request (joining, or all of rebalance timeout,
        // subscription and owned partitions set, as after an error) or when it changed.
        var full = joining || (request.RebalanceTimeoutMs != -1 && request.SubscribedTopicNames is not null && request.TopicPartitions is not null);
        var assignment = full || !assignedBefore.SetEquals(member.Assignment.Assigned) ? member.Assignment.Assigned : null;
        return new ConsumerGroupHeartbeatResult(ErrorCode.None, null, member.MemberId, member.MemberEpoch, _consumerHeartbeatIntervalMs, assignment);
    }

    /// <summary>
    /// Kafka's <c>throwIfConsumerGroupMemberEpochIsInvalid</c>: an epoch ahead of the member's is
    /// fenced; one behind is accepted only when it is the previous epoch and the member reports a
    /// subset of its assignment (the response that moved it on was lost).
    /// </summary>
    private static ConsumerGroupHeartbeatResult? CheckMemberEpoch(ConsumerGroupMember member, int received, IReadOnlyCollection<TopicIdPartition>? owned)
    {
        if (received > member.MemberEpoch)
        {
            return ConsumerGroupHeartbeatResult.Fail(
                ErrorCode.FencedMemberEpoch,
                $"The consumer group member has a greater member epoch ({received}) than the one known by the group coordinator ({member.MemberEpoch}). The member must abandon all its partitions and rejoin.");
        }

        if (received < member.MemberEpoch
            && (received != member.Assignment.PreviousMemberEpoch || owned is null || !owned.All(member.Assignment.Assigned.Contains)))
        {
            return ConsumerGroupHeartbeatResult.Fail(
                ErrorCode.FencedMemberEpoch,
                $"The consumer group member has a smaller member epoch ({received}) than the one known by the group coordinator ({member.MemberEpoch}). The member must abandon all its partitions and rejoin.");
        }

        return null;
    }

    private ConsumerGroupHeartbeatResult LeaveConsumerGroup(ConsumerGroupHeartbeatRequest request, out ConsumerChanges? changes)
    {
        changes = null;
        var groupId = request.GroupId;
        var memberId = request.MemberId;
        if (!_groups.TryGetValue(groupId, out var group) || group.Consumer is not { } consumer)
        {
            return ConsumerGroupHeartbeatResult.Fail(ErrorCode.GroupIdNotFound, group is null ? $"Consumer group {groupId} not found." : $"Group {groupId} is not a consumer group.");
        }

        ConsumerGroupMember? member;
        if (request.InstanceId is not { } instanceId)
        {
            if (!consumer.Members.TryGetValue(memberId, out member))
            {
                return ConsumerGroupHeartbeatResult.Fail(ErrorCode.UnknownMemberId, $"Member {memberId} is not a member of group {groupId}.");
            }
        }
        else
        {
            member = consumer.StaticMembers.TryGetValue(instanceId, out var staticId) ? consumer.Members[staticId] : null;
            if (member is null)
            {
                return ConsumerGroupHeartbeatResult.Fail(ErrorCode.UnknownMemberId, $"Instance id {instanceId} is unknown.");
            }

            if (member.MemberId != memberId)
            {
                return ConsumerGroupHeartbeatResult.Fail(ErrorCode.FencedInstanceId, $"Static member {memberId} with instance id {instanceId} was fenced by member {member.MemberId}.");
            }

            if (request.MemberEpoch == ConsumerGroupMember.LeaveGroupStaticMemberEpoch)
            {
                // A temporary leave: the member keeps its place and assignment (not what it was
                // still revoking) until its session expires or its next instance takes over.
                changes = new ConsumerChanges(group);
                consumer.SetAssignment(member, member.Assignment with { MemberEpoch = ConsumerGroupMember.LeaveGroupStaticMemberEpoch, PendingRevocation = [] });
                member.RebalanceDeadlineMs = 0;
                changes.Currents.Add(member.MemberId);
                Log.StaticMemberLeftTemporarily(_logger, groupId, memberId, instanceId);
                return new ConsumerGroupHeartbeatResult(ErrorCode.None, null, memberId, ConsumerGroupMember.LeaveGroupStaticMemberEpoch, 0, null);
            }
        }

        changes = new ConsumerChanges(group);
        FenceMember(group, consumer, member, changes);
        Log.MemberLeft(_logger, groupId, memberId);
        return new ConsumerGroupHeartbeatResult(ErrorCode.None, null, memberId, ConsumerGroupMember.LeaveGroupMemberEpoch, 0, null);
    }

    /// <summary>Removes a member (leave, session or rebalance timeout) and bumps the group epoch, as Kafka's <c>consumerGroupFenceMember</c>.</summary>
    private void FenceMember(CoordinatedGroup group, ConsumerGroup consumer, ConsumerGroupMember member, ConsumerChanges changes)
    {
        consumer.RemoveMember(member.MemberId);
        changes.Removed.Add(member.MemberId);
        RefreshSubscriptionMetadata(consumer, _topics.Image);
        BumpGroupEpoch(group, consumer, changes);
    }

    /// <summary>Recomputes the subscribed topics; true when they changed (which calls for a new group epoch).</summary>
    private static bool RefreshSubscriptionMetadata(ConsumerGroup consumer, MetadataImage image)
    {
        var metadata = consumer.ComputeSubscriptionMetadata(image);
        consumer.CheckedImage = image;
        if (ConsumerGroup.SameTopics(metadata, consumer.SubscriptionMetadata))
        {
            return false;
        }

        consumer.SubscriptionMetadata = metadata;
        return true;
    }

    private void BumpGroupEpoch(CoordinatedGroup group, ConsumerGroup consumer, ConsumerChanges changes)
    {
        consumer.GroupEpoch++;
        changes.Metadata = true;
        Log.GroupEpochBumped(_logger, group.GroupId, consumer.GroupEpoch);
    }

    private void ComputeTargetAssignment(CoordinatedGroup group, ConsumerGroup consumer, ConsumerChanges changes)
    {
        var assignor = (consumer.PreferredAssignor() is { } preferred ? FindAssignor(preferred) : null) ?? _consumerAssignors[0];
        var partitionCounts = new Dictionary<Guid, int>();
        foreach (var topic in consumer.SubscriptionMetadata.Values)
        {
            partitionCounts[topic.TopicId] = topic.PartitionCount;
        }

        var members = new List<AssignmentMember>(consumer.Members.Count);
        foreach (var member in consumer.Members.Values)
        {
            members.Add(new AssignmentMember(member.MemberId, member.InstanceId, consumer.SubscribedTopicIds(member)));
        }

        var target = assignor.Assign(members, partitionCounts, consumer.TargetAssignment);
        foreach (var member in consumer.Members.Values)
        {
            var partitions = target.TryGetValue(member.MemberId, out var assigned) ? assigned : [];
            if (!consumer.TargetOf(member.MemberId).SetEquals(partitions) || !consumer.TargetAssignment.ContainsKey(member.MemberId))
            {
                consumer.TargetAssignment[member.MemberId] = partitions;
                changes.Targets.Add(member.MemberId);
            }
        }

        consumer.AssignmentEpoch = consumer.GroupEpoch;
        changes.Metadata = true;
        Log.TargetAssignmentComputed(_logger, group.GroupId, consumer.AssignmentEpoch, assignor.Name, consumer.Members.Count);
    }

    private static void Reconcile(ConsumerGroup consumer, ConsumerGroupMember member, IReadOnlyCollection<TopicIdPartition>? owned, long now, ConsumerChanges changes)
    {
        if (member.Assignment.IsReconciledTo(consumer.AssignmentEpoch))
        {
            return;
        }

        var next = Reconciler.Reconcile(member.Assignment, consumer.AssignmentEpoch, consumer.TargetOf(member.MemberId), consumer.PartitionEpoch, owned);
        if (next.Equals(member.Assignment))
        {
            return;
        }

        consumer.SetAssignment(member, next);
        changes.Currents.Add(member.MemberId);

        // The revocation timeout runs while the member holds partitions it must give up.
        member.RebalanceDeadlineMs = next.State == MemberState.UnrevokedPartitions ? now + member.RebalanceTimeoutMs : 0;
    }

    /// <summary>The tick's share for a consumer group: expired sessions and revocations, and topic changes.</summary>
    private void TickConsumerGroup(CoordinatedGroup group, ConsumerGroup consumer, long now, MetadataImage image)
    {
        ConsumerChanges? changes = null;
        List<ConsumerGroupMember>? expired = null;
        foreach (var member in consumer.Members.Values)
        {
            if (now >= member.SessionDeadlineMs || (member.RebalanceDeadlineMs > 0 && now >= member.RebalanceDeadlineMs))
            {
                (expired ??= new()).Add(member);
            }
        }

        if (expired is not null)
        {
            changes = new ConsumerChanges(group);
            foreach (var member in expired)
            {
                if (now >= member.SessionDeadlineMs)
                {
                    Log.SessionExpired(_logger, group.GroupId, member.MemberId);
                }
                else
                {
                    Log.RevocationTimedOut(_logger, group.GroupId, member.MemberId, member.MemberEpoch);
                }

                FenceMember(group, consumer, member, changes);
            }
        }

        // Topics created, deleted or grown: a new group epoch (and so a new target) when the
        // subscribed topics changed, which is how a regex subscription picks up a new topic.
        if (consumer.Members.Count > 0 && !ReferenceEquals(consumer.CheckedImage, image) && RefreshSubscriptionMetadata(consumer, image))
        {
            changes ??= new ConsumerChanges(group);
            BumpGroupEpoch(group, consumer, changes);
        }

        if (changes is not null)
        {
            _ = PersistConsumerChanges(changes);
        }
    }

    /// <summary>A classic JoinGroup for a consumer group: refused while it has members; an empty one becomes classic.</summary>
    private bool TryReleaseConsumerGroup(CoordinatedGroup group)
    {
        if (group.Consumer is not { } consumer)
        {
            return true;
        }

        if (consumer.Members.Count > 0)
        {
            return false;
        }

        group.Consumer = null;
        var write = new PendingWrite(group.OffsetsPartition, [(OffsetsTopicRecords.ConsumerGroupKey(group.GroupId), null)], null);
        Enqueue(write);
        return true;
    }

    /// <summary>Queues the records for what changed, in Kafka's order (tombstones of removed members first).</summary>
    private Task<ErrorCode> PersistConsumerChanges(ConsumerChanges changes)
    {
        var group = changes.Group;
        var consumer = group.Consumer;
        var records = new List<(byte[] Key, byte[]? Value)>();
        if (changes.ClassicTombstone)
        {
            records.Add((OffsetsTopicRecords.GroupKey(group.GroupId), null));
        }

        foreach (var memberId in changes.Removed)
        {
            records.Add((OffsetsTopicRecords.ConsumerMemberKey(OffsetsTopicRecords.ConsumerCurrentKeyType, group.GroupId, memberId), null));
            records.Add((OffsetsTopicRecords.ConsumerMemberKey(OffsetsTopicRecords.ConsumerTargetKeyType, group.GroupId, memberId), null));
            records.Add((OffsetsTopicRecords.ConsumerMemberKey(OffsetsTopicRecords.ConsumerMemberKeyType, group.GroupId, memberId), null));
        }

        if (consumer is not null)
        {
            foreach (var memberId in changes.Subscriptions)
            {
                if (consumer.Members.TryGetValue(memberId, out var member))
                {
                    records.Add((OffsetsTopicRecords.ConsumerMemberKey(OffsetsTopicRecords.ConsumerMemberKeyType, group.GroupId, memberId), OffsetsTopicRecords.ConsumerMemberValue(member)));
                }
            }

            foreach (var memberId in changes.Targets)
            {
                if (consumer.TargetAssignment.TryGetValue(memberId, out var target))
                {
                    records.Add((OffsetsTopicRecords.ConsumerMemberKey(OffsetsTopicRecords.ConsumerTargetKeyType, group.GroupId, memberId), OffsetsTopicRecords.ConsumerTargetValue(target)));
                }
            }

            foreach (var memberId in changes.Currents)
            {
                if (consumer.Members.TryGetValue(memberId, out var member))
                {
                    records.Add((OffsetsTopicRecords.ConsumerMemberKey(OffsetsTopicRecords.ConsumerCurrentKeyType, group.GroupId, memberId), OffsetsTopicRecords.ConsumerCurrentValue(member.Assignment)));
                }
            }

            if (changes.Metadata)
            {
                records.Add((OffsetsTopicRecords.ConsumerGroupKey(group.GroupId), OffsetsTopicRecords.ConsumerGroupValue(consumer)));
            }
        }

        if (records.Count == 0)
        {
            return Task.FromResult(ErrorCode.None);
        }

        var write = new PendingWrite(group.OffsetsPartition, records, null);
        Enqueue(write);
        return write.Done.Task;
    }

    /// <summary>Replays one consumer-group record (types 3–6) before loading completes.</summary>
    private void ReplayConsumerRecord(in OffsetsTopicKey key, bool hasValue, ReadOnlySpan<byte> value)
    {
        if (key.Type == OffsetsTopicRecords.ConsumerGroupKeyType)
        {
            if (!hasValue)
            {
                if (_groups.TryGetValue(key.GroupId, out var existing))
                {
                    existing.Consumer = null;
                    if (existing.IsVacant)
                    {
                        _groups.Remove(key.GroupId);
                    }
                }

                return;
            }

            if (OffsetsTopicRecords.TryReadConsumerGroupValue(value, out var groupEpoch, out var assignmentEpoch, out var topics))
            {
                var consumer = ConsumerFor(key.GroupId);
                consumer.GroupEpoch = groupEpoch;
                consumer.AssignmentEpoch = assignmentEpoch;
                consumer.SubscriptionMetadata = topics;
            }

            return;
        }

        if (!hasValue)
        {
            if (_groups.TryGetValue(key.GroupId, out var existing) && existing.Consumer is { } consumer)
            {
                if (key.Type == OffsetsTopicRecords.ConsumerMemberKeyType)
                {
                    consumer.Members.Remove(key.MemberId);
                }
                else if (key.Type == OffsetsTopicRecords.ConsumerTargetKeyType)
                {
                    consumer.TargetAssignment.Remove(key.MemberId);
                }
            }

            return;
        }

        var group = ConsumerFor(key.GroupId);
        if (!group.Members.TryGetValue(key.MemberId, out var member))
        {
            member = new ConsumerGroupMember(key.MemberId);
            group.Members[key.MemberId] = member;
        }

        switch (key.Type)
        {
            case OffsetsTopicRecords.ConsumerMemberKeyType:
                OffsetsTopicRecords.TryReadConsumerMemberValue(value, member);
                break;
            case OffsetsTopicRecords.ConsumerTargetKeyType when OffsetsTopicRecords.TryReadConsumerTargetValue(value, out var target):
                group.TargetAssignment[key.MemberId] = target;
                break;
            case OffsetsTopicRecords.ConsumerCurrentKeyType when OffsetsTopicRecords.TryReadConsumerCurrentValue(value, out var assignment):
                member.Assignment = assignment;
                break;
        }
    }

    private ConsumerGroup ConsumerFor(string groupId)
    {
        var group = GetOrCreateGroup(groupId);
        return group.Consumer ??= new ConsumerGroup();
    }

    /// <summary>After replay: rebuild indexes and restart every member's session (and revocation) clock.</summary>
    private void FinishConsumerReplay(long now)
    {
        foreach (var group in _groups.Values)
        {
            if (group.Consumer is not { } consumer)
            {
                continue;
            }

            consumer.RebuildIndexes();
            foreach (var member in consumer.Members.Values)
            {
                member.SessionDeadlineMs = now + _consumerSessionTimeoutMs;
                member.RebalanceDeadlineMs = member.Assignment.State == MemberState.UnrevokedPartitions ? now + member.RebalanceTimeoutMs : 0;
            }
        }
    }

    /// <summary>A snapshot of a consumer-protocol group for ConsumerGroupDescribe; null when the group does not exist or is classic.</summary>
    public ConsumerGroupDescription? DescribeConsumerGroup(string groupId)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group) || group.Consumer is not { } consumer)
            {
                return null;
            }

            var members = new List<ConsumerGroupMemberDescription>(consumer.Members.Count);
            foreach (var member in consumer.Members.Values)
            {
                members.Add(new ConsumerGroupMemberDescription(
                    member.MemberId,
                    member.InstanceId,
                    member.RackId,
                    member.MemberEpoch,
                    member.ClientId,
                    member.ClientHost,
                    member.SubscribedTopicNames,
                    member.SubscribedTopicRegex,
                    member.Assignment.Assigned,
                    consumer.TargetOf(member.MemberId)));
            }

            var assignor = consumer.PreferredAssignor() ?? _consumerAssignors[0].Name;
            return new ConsumerGroupDescription(groupId, consumer.State, consumer.GroupEpoch, consumer.AssignmentEpoch, assignor, members);
        }
    }

    /// <summary>
    /// Kafka's <c>ConsumerGroup.validateOffsetCommit</c>: generation -1 commits only while the group
    /// is empty; otherwise the member must exist, commit with OffsetCommit v9+, and carry its epoch.
    /// </summary>
    private static ErrorCode CheckConsumerCommit(ConsumerGroup consumer, int memberEpoch, string memberId, short apiVersion)
    {
        if (memberEpoch < 0 && consumer.Members.Count == 0)
        {
            return ErrorCode.None;
        }

        if (!consumer.Members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }

        if (apiVersion < 9)
        {
            return ErrorCode.UnsupportedVersion;
        }

        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
    }

    /// <summary>Kafka's <c>ConsumerGroup.validateOffsetFetch</c>: no member id and epoch -1 (admin) passes; otherwise member and epoch must match.</summary>
    private static ErrorCode CheckConsumerFetch(ConsumerGroup consumer, string? memberId, int memberEpoch)
    {
        if (memberId is null && memberEpoch < 0)
        {
            return ErrorCode.None;
        }

        if (memberId is null || !consumer.Members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }

        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
    }

    private static ImmutableSortedSet<TopicIdPartition>? ToPartitions(List<ConsumerGroupHeartbeatRequest.TopicPartitionsStruct>? topics)
    {
        if (topics is null)
        {
            return null;
        }

        var builder = ImmutableSortedSet.CreateBuilder<TopicIdPartition>();
        foreach (var topic in topics)
        {
            foreach (var partition in topic.Partitions)
            {
                builder.Add(new TopicIdPartition(topic.TopicId, partition));
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>A member id as Kafka's <c>Uuid.toString</c> prints one: 22 URL-safe base64 characters.</summary>
    private static string NewMemberId() => KafkaUuid.NewString();

    private static IConsumerGroupAssignor[] ResolveAssignors(IReadOnlyList<string> names)
    {
        var result = new List<IConsumerGroupAssignor>();
        foreach (var name in names)
        {
            if (ConsumerGroupAssignors.TryGet(name, out var assignor) && !result.Contains(assignor))
            {
                result.Add(assignor);
            }
        }

        return result.Count > 0 ? result.ToArray() : [ConsumerGroupAssignors.Uniform];
    }

    /// <summary>What one operation changed in a consumer group, to be written as records.</summary>
    private sealed class ConsumerChanges(CoordinatedGroup group)
    {
        public CoordinatedGroup Group { get; } = group;

        public bool ClassicTombstone { get; set; }

        public bool Metadata { get; set; }

        public List<string> Removed { get; } = new();

        public HashSet<string> Subscriptions { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Targets { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Currents { get; } = new(StringComparer.Ordinal);
    }
}
