using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Runnel.Broker.Configuration;
using Runnel.Broker.Coordination;
using Runnel.Broker.Handlers;
using Runnel.Broker.Metadata;
using Runnel.Broker.Partitions;
using Runnel.Protocol;

namespace Runnel.Broker.Groups;

/// <summary>
/// The group coordinator for every group: the classic protocol (JoinGroup, SyncGroup, Heartbeat,
/// LeaveGroup), the consumer protocol (KIP-848 ConsumerGroupHeartbeat, in
/// <c>GroupCoordinator.Consumer.cs</c>), and offsets (OffsetCommit, OffsetFetch); this single node
/// hosts all <c>__consumer_offsets</c> partitions.
/// </summary>
/// <remarks>
/// State lives in memory under one short lock (no I/O or await inside it); waits (a JoinGroup
/// until the rebalance completes, a SyncGroup until the leader's assignments arrive) are
/// TaskCompletionSources completed asynchronously. All time-driven work (session timeouts, the
/// rebalance and initial delays, lapsed MEMBER_ID_REQUIRED ids) runs from one periodic tick on the
/// broker's <see cref="TimeProvider"/>. Durable state (offset commits, group metadata) is appended to
/// <c>__consumer_offsets</c> by one writer loop, in the order the changes were made; an OffsetCommit is
/// acknowledged after its append (and flush, when the topic flushes before acks). Startup replays
/// every partition; until then requests get COORDINATOR_LOAD_IN_PROGRESS.
/// </remarks>
public sealed partial class GroupCoordinator : IAsyncDisposable
{
    public const string OffsetsTopic = "__consumer_offsets";

    /// <summary>Kafka's <c>offset.metadata.max.bytes</c> default.</summary>
    public const int OffsetMetadataMaxBytes = 4096;

    private static readonly TimeSpan s_tickInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, CoordinatedGroup> _groups = new(StringComparer.Ordinal);
    private readonly TopicService _topics;
    private readonly PartitionRegistry _partitions;
    private readonly CoordinatorDirectory _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _configuredPartitionCount;
    private readonly int _offsetsSegmentBytes;
    private readonly int _initialRebalanceDelayMs;
    private readonly int _minSessionTimeoutMs;
    private readonly int _maxSessionTimeoutMs;
    private readonly int _maxGroupSize;
    private readonly long _offsetsRetentionMs;
    private readonly long _offsetsRetentionCheckIntervalMs;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Partition[] _offsetsPartitions = [];
    private ITimer? _tick;
    private readonly OnDemandLoad _load;

    public GroupCoordinator(BrokerConfig config, TopicService topics, PartitionRegistry partitions, CoordinatorDirectory directory, TimeProvider time, ILoggerFactory loggers)
    {
        _topics = topics;
        _partitions = partitions;
        _directory = directory;
        _time = time;
        _logger = loggers.CreateLogger<GroupCoordinator>();
        _configuredPartitionCount = config.OffsetsTopicNumPartitions;
        _offsetsSegmentBytes = config.OffsetsTopicSegmentBytes;
        _initialRebalanceDelayMs = config.GroupInitialRebalanceDelayMs;
        _minSessionTimeoutMs = config.GroupMinSessionTimeoutMs;
        _maxSessionTimeoutMs = config.GroupMaxSessionTimeoutMs;
        _maxGroupSize = config.GroupMaxSize;
        _offsetsRetentionMs = config.OffsetsRetentionMinutes * 60_000L;
        _offsetsRetentionCheckIntervalMs = config.OffsetsRetentionCheckIntervalMs;
        topics.TopicDeleted += OnTopicDeleted;
        _consumerAssignors = ResolveAssignors(config.GroupConsumerAssignors);
        _consumerSessionTimeoutMs = config.GroupConsumerSessionTimeoutMs;
        _consumerHeartbeatIntervalMs = config.GroupConsumerHeartbeatIntervalMs;
        _consumerMaxSize = config.GroupConsumerMaxSize;
        _load = new OnDemandLoad(RunAsync, ex => Log.LoadFailed(_logger, ex), _stopping.Token);
    }

    /// <summary>True once every <c>__consumer_offsets</c> partition has been replayed.</summary>
    public bool IsLoaded => _load.IsLoaded;

    /// <summary>
    /// When the coordinator loads: at broker start if <c>__consumer_offsets</c> exists, else on first
    /// use (<c>Load.Start()</c> creates and loads it; group requests do so themselves).
    /// </summary>
    internal OnDemandLoad Load => _load;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>JoinGroup: completes when the rebalance the member takes part in completes (or at once for errors).</summary>
    public Task<JoinGroupResult> JoinGroupAsync(
        string groupId,
        string memberId,
        string? groupInstanceId,
        string protocolType,
        List<(string Name, byte[] Metadata)> protocols,
        int sessionTimeoutMs,
        int rebalanceTimeoutMs,
        string clientId,
        string clientHost,
        bool requireKnownMemberId,
        bool supportsSkipAssignment = true)
    {
        if (!_load.IsLoadedOrStart())
        {
            return Task.FromResult(JoinGroupResult.Fail(ErrorCode.CoordinatorLoadInProgress, memberId));
        }

        if (groupId.Length == 0)
        {
            return Task.FromResult(JoinGroupResult.Fail(ErrorCode.InvalidGroupId, memberId));
        }

        if (sessionTimeoutMs < _minSessionTimeoutMs || sessionTimeoutMs > _maxSessionTimeoutMs)
        {
            return Task.FromResult(JoinGroupResult.Fail(ErrorCode.InvalidSessionTimeout, memberId));
        }

        if (rebalanceTimeoutMs < 0)
        {
            // JoinGroup v0 has no rebalance timeout: the session timeout serves as both.
            rebalanceTimeoutMs = sessionTimeoutMs;
        }

        lock (_lock)
        {
            var now = NowMs;
            if (!_groups.TryGetValue(groupId, out var group))
            {
                if (memberId.Length != 0)
                {
                    return Task.FromResult(JoinGroupResult.Fail(ErrorCode.UnknownMemberId, memberId));
                }

                group = CreateGroup(groupId, now);
            }

            if (group.State == GroupState.Dead)
            {
                return Task.FromResult(JoinGroupResult.Fail(ErrorCode.CoordinatorNotAvailable, memberId));
            }

            if (!TryReleaseConsumerGroup(group))
            {
                // A consumer-protocol group with members: classic members cannot join it (no online migration).
                return Task.FromResult(JoinGroupResult.Fail(ErrorCode.InconsistentGroupProtocol, memberId));
            }

            if (memberId.Length == 0)
            {
                return JoinNewMember(group, groupInstanceId, protocolType, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, requireKnownMemberId, supportsSkipAssignment, now);
            }

            return JoinKnownMember(group, memberId, groupInstanceId, protocolType, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
        }
    }

    private Task<JoinGroupResult> JoinNewMember(CoordinatedGroup group, string? instanceId, string protocolType, List<(string Name, byte[] Metadata)> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs, string clientId, string clientHost, bool requireKnownMemberId, bool supportsSkipAssignment, long now)
    {
        if (!group.Accepts(protocolType, protocols, null))
        {
            return Task.FromResult(JoinGroupResult.Fail(ErrorCode.InconsistentGroupProtocol));
        }

        var newMemberId = (clientId.Length > 0 ? clientId : "member") + "-" + Guid.NewGuid().ToString("D");
        if (instanceId is not null && group.StaticMembers.TryGetValue(instanceId, out var oldMemberId) && group.Members.TryGetValue(oldMemberId, out var existing))
        {
            return ReplaceStaticMember(group, existing, newMemberId, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, supportsSkipAssignment, now);
        }

        if (group.Members.Count + group.PendingMembers.Count >= _maxGroupSize)
        {
            return Task.FromResult(JoinGroupResult.Fail(ErrorCode.GroupMaxSizeReached));
        }

        if (requireKnownMemberId && instanceId is null)
        {
            // KIP-394: the member must come back with this id, so a retried join cannot leave a ghost.
            group.PendingMembers[newMemberId] = now + sessionTimeoutMs;
            return Task.FromResult(JoinGroupResult.Fail(ErrorCode.MemberIdRequired, newMemberId));
        }

        return AddMemberAndRebalance(group, newMemberId, instanceId, protocolType, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
    }

    /// <summary>
    /// A static member restarting (KIP-345) takes over its old place under a new member id; the old
    /// id is fenced. In a Stable group whose chosen protocol would not change there is no rebalance:
    /// the member gets its previous assignment back through SyncGroup. A restarted leader learns it
    /// leads but is told to skip the assignment (KIP-814, JoinGroup v9+); older versions are told
    /// the previous leader id, so they act as followers. In CompletingRebalance the leader may have
    /// been handed the old id, so the group rebalances.
    /// </summary>
    private Task<JoinGroupResult> ReplaceStaticMember(CoordinatedGroup group, GroupMember existing, string newMemberId, List<(string Name, byte[] Metadata)> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs, string clientId, string clientHost, bool supportsSkipAssignment, long now)
    {
        var oldMemberId = existing.MemberId;
        var previousLeader = group.LeaderId ?? "";
        group.Members.Remove(oldMemberId);
        existing.PendingJoin?.TrySetResult(JoinGroupResult.Fail(ErrorCode.FencedInstanceId, oldMemberId));
        existing.PendingSync?.TrySetResult(SyncGroupResult.Fail(ErrorCode.FencedInstanceId));
        existing.PendingJoin = null;
        existing.PendingSync = null;
        existing.MemberId = newMemberId;
        group.Members[newMemberId] = existing;
        group.StaticMembers[existing.GroupInstanceId!] = newMemberId;
        if (group.LeaderId == oldMemberId)
        {
            group.LeaderId = newMemberId;
        }

        UpdateMember(existing, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
        Log.ClassicStaticMemberReplaced(_logger, group.GroupId, existing.GroupInstanceId!, oldMemberId, newMemberId);
        if (group.State == GroupState.Stable && group.SelectProtocol() == group.ProtocolName)
        {
            var isLeader = group.LeaderId == newMemberId;
            var result = supportsSkipAssignment
                ? BuildJoinResult(group, existing) with { SkipAssignment = isLeader }
                : BuildJoinResult(group, existing) with { Members = null, LeaderId = previousLeader };
            return CompleteAfterWriteAsync(QueueGroupMetadata(group), result);
        }

        if (group.State == GroupState.CompletingRebalance)
        {
            PrepareRebalance(group, now);
        }

        return RejoinAndRebalance(group, existing, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
    }

    private static async Task<JoinGroupResult> CompleteAfterWriteAsync(Task<ErrorCode> persisted, JoinGroupResult result)
    {
        var error = await persisted;
        return error == ErrorCode.None ? result : JoinGroupResult.Fail(GroupWriteError(error), result.MemberId);
    }

    private Task<JoinGroupResult> JoinKnownMember(CoordinatedGroup group, string memberId, string? instanceId, string protocolType, List<(string Name, byte[] Metadata)> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs, string clientId, string clientHost, long now)
    {
        if (group.PendingMembers.ContainsKey(memberId))
        {
            if (!group.Accepts(protocolType, protocols, null))
            {
                return Task.FromResult(JoinGroupResult.Fail(ErrorCode.InconsistentGroupProtocol, memberId));
            }

            group.PendingMembers.Remove(memberId);
            return AddMemberAndRebalance(group, memberId, instanceId, protocolType, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
        }

        var memberError = group.ValidateMember(memberId, instanceId, out var found);
        if (memberError != ErrorCode.None)
        {
            return Task.FromResult(JoinGroupResult.Fail(memberError, memberId));
        }

        var member = found!;

        if (!group.Accepts(protocolType, protocols, memberId))
        {
            return Task.FromResult(JoinGroupResult.Fail(ErrorCode.InconsistentGroupProtocol, memberId));
        }

        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                return RejoinAndRebalance(group, member, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
            case GroupState.CompletingRebalance:
                if (member.SameProtocols(protocols))
                {
                    // A retried join (the response was lost): answer with the current generation.
                    return Task.FromResult(BuildJoinResult(group, member));
                }

                return RejoinAndRebalance(group, member, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
            case GroupState.Stable:
                if (memberId != group.LeaderId && member.SameProtocols(protocols))
                {
                    return Task.FromResult(BuildJoinResult(group, member));
                }

                // The leader rejoining, or changed metadata (a new subscription): rebalance.
                return RejoinAndRebalance(group, member, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
            default:
                return Task.FromResult(JoinGroupResult.Fail(ErrorCode.UnknownMemberId, memberId));
        }
    }

    private Task<JoinGroupResult> AddMemberAndRebalance(CoordinatedGroup group, string memberId, string? instanceId, string protocolType, List<(string Name, byte[] Metadata)> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs, string clientId, string clientHost, long now)
    {
        var member = new GroupMember(memberId, instanceId, clientId, clientHost);
        UpdateMember(member, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
        if (group.Members.Count == 0)
        {
            group.ProtocolType = protocolType;
        }

        group.Members[memberId] = member;
        if (instanceId is not null)
        {
            group.StaticMembers[instanceId] = memberId;
        }

        group.LeaderId ??= memberId;
        if (group.State == GroupState.PreparingRebalance && group.InitialDelayLimitMs > 0)
        {
            // A newcomer during the initial delay extends it, up to the rebalance timeout.
            group.RebalanceDeadlineMs = Math.Min(now + _initialRebalanceDelayMs, group.InitialDelayLimitMs);
        }

        return RejoinAndRebalance(group, member, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
    }

    private Task<JoinGroupResult> RejoinAndRebalance(CoordinatedGroup group, GroupMember member, List<(string Name, byte[] Metadata)> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs, string clientId, string clientHost, long now)
    {
        UpdateMember(member, protocols, sessionTimeoutMs, rebalanceTimeoutMs, clientId, clientHost, now);
        member.PendingJoin ??= new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = member.PendingJoin.Task;
        if (group.State != GroupState.PreparingRebalance)
        {
            PrepareRebalance(group, now);
        }

        TryCompleteJoin(group, now);
        return task;
    }

    private static void UpdateMember(GroupMember member, List<(string Name, byte[] Metadata)> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs, string clientId, string clientHost, long now)
    {
        member.Protocols = protocols;
        member.SessionTimeoutMs = sessionTimeoutMs;
        member.RebalanceTimeoutMs = rebalanceTimeoutMs;
        member.ClientId = clientId;
        member.ClientHost = clientHost;
        member.SessionDeadlineMs = now + sessionTimeoutMs;
    }

    private void PrepareRebalance(CoordinatedGroup group, long now)
    {
        foreach (var member in group.Members.Values)
        {
            member.PendingSync?.TrySetResult(SyncGroupResult.Fail(ErrorCode.RebalanceInProgress));
            member.PendingSync = null;
        }

        var wasEmpty = group.State == GroupState.Empty;
        group.State = GroupState.PreparingRebalance;
        var rebalanceTimeout = 0;
        foreach (var member in group.Members.Values)
        {
            rebalanceTimeout = Math.Max(rebalanceTimeout, member.RebalanceTimeoutMs);
        }

        if (wasEmpty && _initialRebalanceDelayMs > 0)
        {
            group.InitialDelayLimitMs = now + Math.Max(rebalanceTimeout, _initialRebalanceDelayMs);
            group.RebalanceDeadlineMs = Math.Min(now + _initialRebalanceDelayMs, group.InitialDelayLimitMs);
        }
        else
        {
            group.InitialDelayLimitMs = 0;
            group.RebalanceDeadlineMs = now + rebalanceTimeout;
        }

        Log.RebalanceStarted(_logger, group.GroupId, group.GenerationId, group.Members.Count);
    }

    private void TryCompleteJoin(CoordinatedGroup group, long now)
    {
        if (group.State != GroupState.PreparingRebalance)
        {
            return;
        }

        var due = now >= group.RebalanceDeadlineMs;
        var ready = group.InitialDelayLimitMs > 0 ? due : due || group.AllMembersJoined();
        if (!ready)
        {
            return;
        }

        // Members that did not rejoin in time are out.
        List<GroupMember>? missing = null;
        foreach (var member in group.Members.Values)
        {
            if (member.PendingJoin is null)
            {
                (missing ??= new()).Add(member);
            }
        }

        if (missing is not null)
        {
            foreach (var member in missing)
            {
                DropMember(group, member);
            }
        }

        group.PendingMembers.Clear();
        group.InitialDelayLimitMs = 0;
        group.GenerationId++;
        if (group.Members.Count == 0)
        {
            group.State = GroupState.Empty;
            group.EmptySinceMs = now;
            group.ProtocolName = null;
            group.LeaderId = null;
            QueueGroupMetadata(group);
            Log.GroupEmpty(_logger, group.GroupId, group.GenerationId);
            return;
        }

        group.ProtocolName = group.SelectProtocol();
        if (group.LeaderId is null || !group.Members.ContainsKey(group.LeaderId))
        {
            foreach (var id in group.Members.Keys)
            {
                group.LeaderId = id;
                break;
            }
        }

        group.State = GroupState.CompletingRebalance;
        var rebalanceTimeout = 0;
        foreach (var member in group.Members.Values)
        {
            rebalanceTimeout = Math.Max(rebalanceTimeout, member.RebalanceTimeoutMs);
        }

        group.RebalanceDeadlineMs = now + rebalanceTimeout;
        Log.RebalanceCompleted(_logger, group.GroupId, group.GenerationId, group.Members.Count, group.ProtocolName ?? "");
        foreach (var member in group.Members.Values)
        {
            var join = member.PendingJoin;
            member.PendingJoin = null;
            member.SessionDeadlineMs = now + member.SessionTimeoutMs;
            join?.TrySetResult(BuildJoinResult(group, member));
        }
    }

    private static JoinGroupResult BuildJoinResult(CoordinatedGroup group, GroupMember member)
    {
        List<(string MemberId, string? GroupInstanceId, byte[] Metadata)>? members = null;
        if (member.MemberId == group.LeaderId)
        {
            members = new(group.Members.Count);
            foreach (var m in group.Members.Values)
            {
                members.Add((m.MemberId, m.GroupInstanceId, group.ProtocolName is null ? Array.Empty<byte>() : m.MetadataFor(group.ProtocolName) ?? Array.Empty<byte>()));
            }
        }

        return new JoinGroupResult(ErrorCode.None, member.MemberId, group.GenerationId, group.ProtocolType, group.ProtocolName, group.LeaderId ?? "", members);
    }

    /// <summary>Removes a member without starting a rebalance; its waiting requests get UNKNOWN_MEMBER_ID.</summary>
    private static void DropMember(CoordinatedGroup group, GroupMember member)
    {
        group.Members.Remove(member.MemberId);
        if (member.GroupInstanceId is not null && group.StaticMembers.TryGetValue(member.GroupInstanceId, out var id) && id == member.MemberId)
        {
            group.StaticMembers.Remove(member.GroupInstanceId);
        }

        member.PendingJoin?.TrySetResult(JoinGroupResult.Fail(ErrorCode.UnknownMemberId, member.MemberId));
        member.PendingSync?.TrySetResult(SyncGroupResult.Fail(ErrorCode.UnknownMemberId));
        member.PendingJoin = null;
        member.PendingSync = null;
    }

    /// <summary>Removes a member (leave or expiry) and rebalances the rest.</summary>
    private void RemoveMember(CoordinatedGroup group, GroupMember member, long now)
    {
        DropMember(group, member);
        if (group.State is GroupState.Stable or GroupState.CompletingRebalance)
        {
            PrepareRebalance(group, now);
        }

        TryCompleteJoin(group, now);
    }

    /// <summary>SyncGroup: the leader's call delivers the assignments; the others wait for it.</summary>
    public Task<SyncGroupResult> SyncGroupAsync(string groupId, int generationId, string memberId, string? groupInstanceId, string? protocolType, string? protocolName, IReadOnlyList<(string MemberId, byte[] Assignment)> assignments)
    {
        if (!_load.IsLoadedOrStart())
        {
            return Task.FromResult(SyncGroupResult.Fail(ErrorCode.CoordinatorLoadInProgress));
        }

        Task<SyncGroupResult> result;
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return Task.FromResult(SyncGroupResult.Fail(ErrorCode.UnknownMemberId));
            }

            var memberError = group.ValidateMember(memberId, groupInstanceId, out var found);
            if (memberError != ErrorCode.None)
            {
                return Task.FromResult(SyncGroupResult.Fail(memberError));
            }

            var member = found!;

            if (generationId != group.GenerationId)
            {
                return Task.FromResult(SyncGroupResult.Fail(ErrorCode.IllegalGeneration));
            }

            if ((protocolType is not null && protocolType != group.ProtocolType) || (protocolName is not null && protocolName != group.ProtocolName))
            {
                return Task.FromResult(SyncGroupResult.Fail(ErrorCode.InconsistentGroupProtocol));
            }

            switch (group.State)
            {
                case GroupState.PreparingRebalance:
                    return Task.FromResult(SyncGroupResult.Fail(ErrorCode.RebalanceInProgress));
                case GroupState.Stable:
                    member.SessionDeadlineMs = NowMs + member.SessionTimeoutMs;
                    return Task.FromResult(new SyncGroupResult(ErrorCode.None, member.Assignment, group.ProtocolType, group.ProtocolName));
                case GroupState.CompletingRebalance:
                    break;
                default:
                    return Task.FromResult(SyncGroupResult.Fail(ErrorCode.UnknownMemberId));
            }

            member.SessionDeadlineMs = NowMs + member.SessionTimeoutMs;
            member.PendingSync ??= new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            result = member.PendingSync.Task;
            if (memberId == group.LeaderId)
            {
                var byMember = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var (id, assignment) in assignments)
                {
                    byMember[id] = assignment;
                }

                // The assignments reach the members only once they are stored (as Kafka): a member
                // must never act on an assignment a restarted coordinator would not know.
                foreach (var m in group.Members.Values)
                {
                    m.Assignment = byMember.GetValueOrDefault(m.MemberId) ?? Array.Empty<byte>();
                }

                _ = CompleteSyncAfterWriteAsync(group, group.GenerationId, QueueGroupMetadata(group));
            }
        }

        return result;
    }

    /// <summary>Kafka's mapping of a failed group metadata write to the JoinGroup/SyncGroup error.</summary>
    private static ErrorCode GroupWriteError(ErrorCode error) => error == ErrorCode.RecordListTooLarge ? ErrorCode.UnknownServerError : error;

    /// <summary>
    /// After the leader's assignments are written: the group turns Stable and every waiting member
    /// gets its assignment; if the write failed, every waiting member gets the error and the group
    /// rebalances (Kafka's resetAndPropagateAssignmentWithError). Nothing happens if a new rebalance
    /// started meanwhile (it already failed the waiting syncs).
    /// </summary>
    private async Task CompleteSyncAfterWriteAsync(CoordinatedGroup group, int generationId, Task<ErrorCode> persisted)
    {
        var error = await persisted;
        lock (_lock)
        {
            if (group.State != GroupState.CompletingRebalance || group.GenerationId != generationId)
            {
                return;
            }

            var now = NowMs;
            if (error == ErrorCode.None)
            {
                group.State = GroupState.Stable;
            }

            foreach (var m in group.Members.Values)
            {
                var sync = m.PendingSync;
                m.PendingSync = null;
                m.SessionDeadlineMs = now + m.SessionTimeoutMs;
                if (error != ErrorCode.None)
                {
                    m.Assignment = Array.Empty<byte>();
                }

                sync?.TrySetResult(error == ErrorCode.None
                    ? new SyncGroupResult(ErrorCode.None, m.Assignment, group.ProtocolType, group.ProtocolName)
                    : SyncGroupResult.Fail(GroupWriteError(error)));
            }

            if (error != ErrorCode.None)
            {
                PrepareRebalance(group, now);
            }
        }
    }

    /// <summary>Heartbeat: keeps the session alive and tells the member whether to rejoin.</summary>
    public ErrorCode Heartbeat(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        if (!_load.IsLoadedOrStart())
        {
            return ErrorCode.CoordinatorLoadInProgress;
        }

        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return ErrorCode.UnknownMemberId;
            }

            var memberError = group.ValidateMember(memberId, groupInstanceId, out var member);
            if (memberError != ErrorCode.None)
            {
                return memberError;
            }

            if (group.State is GroupState.Empty or GroupState.Dead)
            {
                return ErrorCode.UnknownMemberId;
            }

            if (generationId != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }

            member!.SessionDeadlineMs = NowMs + member.SessionTimeoutMs;
            return group.State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }
    }

    /// <summary>LeaveGroup for a batch of members (v3+; older versions pass one). Returns the group-level error and one per member.</summary>
    public (ErrorCode Error, List<ErrorCode> MemberErrors) LeaveGroup(string groupId, IReadOnlyList<(string MemberId, string? GroupInstanceId)> members)
    {
        var errors = new List<ErrorCode>(members.Count);
        if (!_load.IsLoadedOrStart())
        {
            return (ErrorCode.CoordinatorLoadInProgress, errors);
        }

        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                return (ErrorCode.UnknownMemberId, errors);
            }

            var now = NowMs;
            foreach (var (memberId, instanceId) in members)
            {
                var id = memberId;
                if (instanceId is not null)
                {
                    // Kafka: a static member leaves by instance id; a member id, if given, must be the current one.
                    if (!group.StaticMembers.TryGetValue(instanceId, out var staticId))
                    {
                        errors.Add(ErrorCode.UnknownMemberId);
                        continue;
                    }

                    if (id.Length != 0 && id != staticId)
                    {
                        errors.Add(ErrorCode.FencedInstanceId);
                        continue;
                    }

                    id = staticId;
                }

                if (group.PendingMembers.Remove(id))
                {
                    errors.Add(ErrorCode.None);
                    TryCompleteJoin(group, now);
                    continue;
                }

                if (!group.Members.TryGetValue(id, out var member))
                {
                    errors.Add(ErrorCode.UnknownMemberId);
                    continue;
                }

                Log.MemberLeft(_logger, groupId, id);
                RemoveMember(group, member, now);
                errors.Add(ErrorCode.None);
            }

            return (ErrorCode.None, errors);
        }
    }

    /// <summary>The periodic tick: expires sessions and lapsed pending ids, completes due rebalances.</summary>
    internal void Tick()
    {
        if (!_load.IsLoaded)
        {
            return;
        }

        lock (_lock)
        {
            var now = NowMs;
            var image = _topics.Image;
            List<GroupMember>? expired = null;
            List<string>? lapsed = null;
            foreach (var group in _groups.Values)
            {
                if (group.Consumer is { } consumer)
                {
                    TickConsumerGroup(group, consumer, now, image);
                    continue;
                }

                if (group.Members.Count == 0 && group.PendingMembers.Count == 0 && group.State != GroupState.PreparingRebalance)
                {
                    continue;
                }

                foreach (var (id, deadline) in group.PendingMembers)
                {
                    if (now >= deadline)
                    {
                        (lapsed ??= new()).Add(id);
                    }
                }

                if (lapsed is { Count: > 0 })
                {
                    foreach (var id in lapsed)
                    {
                        group.PendingMembers.Remove(id);
                    }

                    lapsed.Clear();
                }

                foreach (var member in group.Members.Values)
                {
                    // A member waiting in JoinGroup or SyncGroup is alive: its request is the heartbeat.
                    if (member.PendingJoin is null && member.PendingSync is null && now >= member.SessionDeadlineMs)
                    {
                        (expired ??= new()).Add(member);
                    }
                }

                if (expired is { Count: > 0 })
                {
                    foreach (var member in expired)
                    {
                        Log.SessionExpired(_logger, group.GroupId, member.MemberId);
                        RemoveMember(group, member, now);
                    }

                    expired.Clear();
                }

                if (group.State == GroupState.CompletingRebalance && now >= group.RebalanceDeadlineMs)
                {
                    // The leader never sent its assignments: start over with whoever is still there.
                    PrepareRebalance(group, now);
                }

                TryCompleteJoin(group, now);
            }

            MaybeExpireOffsets(now);
        }
    }

    /// <summary>Adds a new, empty group (caller holds the lock).</summary>
    private CoordinatedGroup CreateGroup(string groupId, long now)
    {
        var group = new CoordinatedGroup(groupId, PartitionFor(groupId)) { EmptySinceMs = now };
        _groups.Add(groupId, group);
        return group;
    }

    private int PartitionFor(string groupId) => JavaStringHash.PartitionFor(groupId, _offsetsPartitions.Length);

    public async ValueTask DisposeAsync()
    {
        _topics.TopicDeleted -= OnTopicDeleted;
        if (_tick is not null)
        {
            await _tick.DisposeAsync();
        }

        _writes.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _load.CloseAsync();
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }
}
