using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Runnel.Broker;
using Runnel.Broker.Groups;
using Runnel.Protocol;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// A model-based property test of the classic group coordinator: CsCheck generates histories of
/// joins (with the MEMBER_ID_REQUIRED round trip), syncs, heartbeats, leaves, commits with the current
/// or a stale generation, simple commits, static restarts, probes by fenced or expired incarnations and
/// moves of the broker's fake clock; the coordinator is called in-process on an embedded broker whose
/// only clock is a <see cref="FakeTimeProvider"/>, so every timeout happens when the history moves the
/// clock. After every step the model checks:
/// <list type="bullet">
/// <item>JoinGroup: generations never go backwards (a join answers with at least the highest generation
/// seen before it was sent), each generation has one leader, and every member that completed a join in
/// generation g is in the leader's member list for g (static members by group.instance.id);</item>
/// <item>SyncGroup: a member gets exactly what the leader of its generation assigned it, only members of
/// that generation get anything, and no partition is handed to two members in one generation; a Stable
/// group never describes two members owning one partition;</item>
/// <item>errors: Heartbeat, OffsetCommit and LeaveGroup answer as Kafka's classic coordinator does for the
/// membership the coordinator describes (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ILLEGAL_GENERATION,
/// REBALANCE_IN_PROGRESS); a replaced static member is fenced at once; a member that left, was fenced or
/// was told UNKNOWN_MEMBER_ID is never a member again, and no member id the clients were not given appears;</item>
/// <item>sessions: once the clock passes a member's session timeout since anything could have kept it
/// alive, it is gone and gets UNKNOWN_MEMBER_ID; a member waiting in JoinGroup or SyncGroup stays a member
/// until its request is answered;</item>
/// <item>offsets: OffsetFetch returns the last accepted commit per partition; a rejected commit changes nothing;</item>
/// <item>no request hangs: every JoinGroup and SyncGroup is answered once the clock passes the rebalance
/// timeout after it was sent (checked right after moving the clock; only answers that wait for a
/// <c>__consumer_offsets</c> append get a bounded real-time wait, as a safety net).</item>
/// </list>
/// </summary>
public sealed class ClassicGroupModelTests : IAsyncLifetime
{
    private const int SessionTimeoutMs = 6_000;
    private const int RebalanceTimeoutMs = 10_000;
    private const int PartitionCount = 6;
    private const int SlotCount = 4;

    /// <summary>The coordinator's tick runs every 100 ms: a deadline takes effect by the next tick; this leaves room for two.</summary>
    private const int TickSlackMs = 300;

    private const string Topic = "model-topic";

    private static readonly TimeSpan s_safetyNet = TimeSpan.FromSeconds(10);

    private static readonly Gen<Op[]> s_histories =
        Gen.Select(Gen.Int[0, 19], Gen.Int[0, SlotCount - 1], Gen.Int[0, 999], (kind, slot, parameter) => new Op(KindOf(kind), slot, parameter)).Array[1, 40];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private RunnelBroker? _broker;

    public async ValueTask InitializeAsync()
    {
        _broker = await RunnelBroker.StartAsync(
            new RunnelBrokerOptions
            {
                TimeProvider = _time,
                Config = new Dictionary<string, string>(ClassicGroupTests.FastGroups) { ["offsets.topic.num.partitions"] = "1" },
            },
            TestContext.Current.CancellationToken);
        await _broker.Host.GroupCoordinator.Load.Start().WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Random_classic_group_histories_keep_the_coordinator_invariants()
    {
        var coordinator = _broker!.Host.GroupCoordinator;

        // One history at a time: they share the broker's fake clock (each uses its own group).
        await s_histories.SampleAsync(
            async history =>
            {
                var model = new Model(coordinator, _time, "model-" + Guid.NewGuid().ToString("N"));
                foreach (var op in history)
                {
                    await model.ApplyAsync(op);
                    model.Observe(op);
                }

                model.Settle();
            },
            iter: 300,
            threads: 1);
    }

    [Fact]
    public async Task A_replaced_static_member_committing_during_CompletingRebalance_gets_FENCED_INSTANCE_ID()
    {
        var coordinator = _broker!.Host.GroupCoordinator;
        var group = "fenced-commit-" + Guid.NewGuid().ToString("N");
        List<(string Name, byte[] Metadata)> protocols = [("range", [1])];

        // A lone static member joins: the rebalance completes at once, the group waits for its SyncGroup.
        var first = await coordinator.JoinGroupAsync(group, "", "instance-1", "consumer", protocols, SessionTimeoutMs, RebalanceTimeoutMs, "client", "127.0.0.1", requireKnownMemberId: true);
        Assert.Equal(ErrorCode.None, first.Error);

        // It restarts before syncing: the new process takes over, and (alone) completes the next rebalance.
        var second = await coordinator.JoinGroupAsync(group, "", "instance-1", "consumer", protocols, SessionTimeoutMs, RebalanceTimeoutMs, "client", "127.0.0.1", requireKnownMemberId: true);
        Assert.Equal(ErrorCode.None, second.Error);
        Assert.Equal(GroupState.CompletingRebalance, coordinator.DescribeGroup(group)!.State);
        Assert.Equal(ErrorCode.FencedInstanceId, coordinator.Heartbeat(group, first.GenerationId, first.MemberId, "instance-1"));

        // Kafka's ClassicGroup.validateOffsetCommit checks the member first: the old process is fenced.
        var errors = await coordinator.CommitOffsetsAsync(group, first.GenerationId, first.MemberId, "instance-1", [new OffsetCommitEntry(Topic, 0, 1, -1, null)]);
        Assert.Equal(ErrorCode.FencedInstanceId, Assert.Single(errors));
    }

    [Fact]
    public async Task An_unknown_member_committing_during_CompletingRebalance_gets_UNKNOWN_MEMBER_ID()
    {
        var coordinator = _broker!.Host.GroupCoordinator;
        var group = "unknown-commit-" + Guid.NewGuid().ToString("N");
        var joined = await coordinator.JoinGroupAsync(group, "", null, "consumer", [("range", [1])], SessionTimeoutMs, RebalanceTimeoutMs, "client", "127.0.0.1", requireKnownMemberId: false);
        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.Equal(GroupState.CompletingRebalance, coordinator.DescribeGroup(group)!.State);

        var errors = await coordinator.CommitOffsetsAsync(group, joined.GenerationId, "made-up", null, [new OffsetCommitEntry(Topic, 0, 1, -1, null)]);
        Assert.Equal(ErrorCode.UnknownMemberId, Assert.Single(errors));
    }

    private static OpKind KindOf(int value) => value switch
    {
        <= 2 => OpKind.Join,
        3 => OpKind.JoinWithNewSubscription,
        <= 6 => OpKind.Sync,
        7 or 8 => OpKind.Heartbeat,
        9 => OpKind.StaleHeartbeat,
        10 => OpKind.Leave,
        11 or 12 => OpKind.Commit,
        13 => OpKind.StaleCommit,
        14 => OpKind.SimpleCommit,
        <= 17 => OpKind.AdvanceClock,
        18 => OpKind.Restart,
        _ => OpKind.ProbeOldIncarnation,
    };

    private enum OpKind
    {
        Join,
        JoinWithNewSubscription,
        Sync,
        Heartbeat,
        StaleHeartbeat,
        Leave,
        Commit,
        StaleCommit,
        SimpleCommit,
        AdvanceClock,
        Restart,
        ProbeOldIncarnation,
    }

    /// <summary>One step of a history: slots 0 and 1 are dynamic members, 2 and 3 static ones.</summary>
    private readonly record struct Op(OpKind Kind, int Slot, int Parameter)
    {
        public override string ToString() => $"{Kind}({Slot},{Parameter})";
    }

    private enum IncarnationState
    {
        /// <summary>The slot's current process.</summary>
        Active,

        /// <summary>A dynamic member whose process restarted: it sends nothing more and must expire.</summary>
        Abandoned,

        /// <summary>A static member replaced by a newer process with the same group.instance.id.</summary>
        Fenced,

        /// <summary>Left, expired or told UNKNOWN_MEMBER_ID: never a member again.</summary>
        Gone,
    }

    private sealed class Pending<T>(Task<T> task, long issuedMs, int generation, int floorGeneration)
    {
        public Task<T> Task { get; } = task;

        public long IssuedMs { get; } = issuedMs;

        /// <summary>For a SyncGroup, the generation it was sent for.</summary>
        public int Generation { get; } = generation;

        /// <summary>For a JoinGroup, the highest generation any join had answered with when it was sent.</summary>
        public int FloorGeneration { get; } = floorGeneration;
    }

    /// <summary>One process of a slot: a member id (unknown until the coordinator hands it out) and what it learned.</summary>
    private sealed class Incarnation(int slot, string? instanceId, int number)
    {
        public int Slot { get; } = slot;

        public string? InstanceId { get; } = instanceId;

        public int Number { get; } = number;

        public string MemberId { get; set; } = "";

        public IncarnationState State { get; set; } = IncarnationState.Active;

        public int Generation { get; set; } = -1;

        public bool IsLeader { get; set; }

        public bool SkipAssignment { get; set; }

        public IReadOnlyList<(string MemberId, string? GroupInstanceId, byte[] Metadata)>? LeaderMembers { get; set; }

        public int SubscriptionVersion { get; set; }

        /// <summary>The latest fake time anything could have refreshed this member's session (an upper bound).</summary>
        public long LastAliveMs { get; set; }

        public Pending<JoinGroupResult>? Join { get; set; }

        public Pending<SyncGroupResult>? Sync { get; set; }

        /// <summary>Static members are known by instance id (a restart keeps its place), dynamic ones by member id.</summary>
        public string Key => InstanceId ?? MemberId;

        public bool HasPending => Join is not null || Sync is not null;

        public override string ToString() => $"slot {Slot}#{Number} ({(InstanceId is null ? "dynamic" : InstanceId)}, {State}, id {MemberId}, generation {Generation})";
    }

    /// <summary>What the clients saw of one generation.</summary>
    private sealed class GenerationFacts
    {
        public HashSet<string> LeaderIds { get; } = new(StringComparer.Ordinal);

        public List<List<string>> LeaderLists { get; } = new();

        public HashSet<string> Joined { get; } = new(StringComparer.Ordinal);

        /// <summary>The leader's assignment by member key, fixed by the first leader SyncGroup of the generation.</summary>
        public Dictionary<string, byte[]>? Assignment { get; set; }

        public Dictionary<int, string> Owners { get; } = new();
    }

    /// <summary>The model of one group and the clients driving it.</summary>
    private sealed class Model(GroupCoordinator coordinator, FakeTimeProvider time, string groupId)
    {
        private readonly List<Incarnation> _incarnations = new();
        private readonly Incarnation[] _current = new Incarnation[SlotCount];
        private readonly Dictionary<int, GenerationFacts> _generations = new();

        /// <summary>Every member id handed out, with its key: the instance id of a static member, itself for a dynamic one.</summary>
        private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);

        private readonly Dictionary<int, long> _offsets = new();
        private int _maxGeneration;
        private int _nextNumber;

        private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

        public async Task ApplyAsync(Op op)
        {
            for (var slot = 0; slot < SlotCount; slot++)
            {
                _current[slot] ??= NewIncarnation(slot);
            }

            var member = _current[op.Slot];
            switch (op.Kind)
            {
                case OpKind.Join:
                    await JoinAsync(member);
                    break;
                case OpKind.JoinWithNewSubscription:
                    if (member.MemberId.Length > 0)
                    {
                        member.SubscriptionVersion++;
                    }

                    await JoinAsync(member);
                    break;
                case OpKind.Sync:
                    await SyncAsync(member, op.Parameter);
                    break;
                case OpKind.Heartbeat:
                case OpKind.StaleHeartbeat:
                    if (member.MemberId.Length > 0 && member.Generation >= 1 && member.Join is null)
                    {
                        HeartbeatAndCheck(member, op.Kind == OpKind.StaleHeartbeat ? member.Generation - 1 : member.Generation);
                    }

                    break;
                case OpKind.Leave:
                    Leave(member);
                    break;
                case OpKind.Commit:
                case OpKind.StaleCommit:
                    if (member.MemberId.Length > 0 && member.Generation >= 1)
                    {
                        await CommitAndCheckAsync(member, member.MemberId, member.InstanceId, op.Kind == OpKind.StaleCommit ? member.Generation - 1 : member.Generation, op.Parameter);
                    }

                    break;
                case OpKind.SimpleCommit:
                    await CommitAndCheckAsync(null, "", null, -1, op.Parameter);
                    break;
                case OpKind.AdvanceClock:
                    time.AdvanceAndTick(coordinator, TimeSpan.FromMilliseconds((op.Parameter % 4) switch
                    {
                        0 => 100 + op.Parameter,
                        1 => SessionTimeoutMs + TickSlackMs,
                        2 => RebalanceTimeoutMs + TickSlackMs,
                        _ => SessionTimeoutMs / 2,
                    }));
                    break;
                case OpKind.Restart:
                    await RestartAsync(op.Slot);
                    break;
                case OpKind.ProbeOldIncarnation:
                    await ProbeOldIncarnationAsync(op.Slot, op.Parameter);
                    break;
            }
        }

        private Incarnation NewIncarnation(int slot)
        {
            var incarnation = new Incarnation(slot, slot >= 2 ? "instance-" + slot : null, _nextNumber++) { LastAliveMs = NowMs };
            _incarnations.Add(incarnation);
            _current[slot] = incarnation;
            return incarnation;
        }

        private GenerationFacts Facts(int generation)
        {
            if (!_generations.TryGetValue(generation, out var facts))
            {
                _generations[generation] = facts = new GenerationFacts();
            }

            return facts;
        }

        private GroupDescription? Describe() => coordinator.DescribeGroup(groupId);

        private static string Context(GroupDescription? description) =>
            description is null ? "no group" : $"{description.State} [{string.Join(", ", description.Members.Select(m => m.MemberId + (m.GroupInstanceId is null ? "" : "/" + m.GroupInstanceId)))}]";

        private Task<JoinGroupResult> SendJoin(Incarnation member, string memberId, bool requireKnownMemberId)
        {
            List<(string Name, byte[] Metadata)> protocols = [("range", [(byte)member.Slot, (byte)member.SubscriptionVersion])];
            return coordinator.JoinGroupAsync(groupId, memberId, member.InstanceId, "consumer", protocols, SessionTimeoutMs, RebalanceTimeoutMs, "client-" + member.Slot, "127.0.0.1", requireKnownMemberId);
        }

        private async Task JoinAsync(Incarnation member)
        {
            if (member.Join is not null)
            {
                return;
            }

            var before = Describe();
            var now = NowMs;
            if (member.MemberId.Length == 0 && member.InstanceId is null)
            {
                // KIP-394: a new dynamic member is handed an id and must come back with it.
                var first = SendJoin(member, "", requireKnownMemberId: true);
                Assert.True(first.IsCompleted, "a JoinGroup without a member id is answered at once");
                var required = await first;
                Assert.Equal(ErrorCode.MemberIdRequired, required.Error);
                Assert.False(string.IsNullOrEmpty(required.MemberId));
                Assert.True(_keys.TryAdd(required.MemberId, required.MemberId), "MEMBER_ID_REQUIRED hands out a fresh member id");
                member.MemberId = required.MemberId;
            }

            var task = SendJoin(member, member.MemberId, requireKnownMemberId: true);
            member.LastAliveMs = now;
            member.Join = new Pending<JoinGroupResult>(task, now, -1, _maxGeneration);

            // A static member taking over its place in a Stable group is answered once the group
            // metadata is appended (real time), not by the clock: wait for it like a client does.
            var takesOver = member.InstanceId is not null && member.MemberId.Length == 0 && before is { State: GroupState.Stable } && before.Members.Exists(m => m.GroupInstanceId == member.InstanceId);
            if (takesOver)
            {
                await Eventually.WithinAsync(task, "a static member's takeover of a Stable group is answered after its append", s_safetyNet);
            }

            Harvest();
        }

        private async Task SyncAsync(Incarnation member, int parameter)
        {
            if (member.MemberId.Length == 0 || member.Generation < 1 || member.Join is not null || member.Sync is not null)
            {
                return;
            }

            var generation = member.Generation;
            var assignments = new List<(string MemberId, byte[] Assignment)>();
            if (member.IsLeader && !member.SkipAssignment && member.LeaderMembers is { } members)
            {
                var facts = Facts(generation);
                if (facts.Assignment is null)
                {
                    // Partition p goes to one member: disjoint by construction.
                    var byKey = new Dictionary<string, List<byte>>(StringComparer.Ordinal);
                    foreach (var (id, instance, _) in members)
                    {
                        byKey[instance ?? id] = new List<byte>();
                    }

                    for (var partition = 0; partition < PartitionCount; partition++)
                    {
                        var (id, instance, _) = members[(partition + parameter) % members.Count];
                        byKey[instance ?? id].Add((byte)partition);
                    }

                    facts.Assignment = byKey.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
                }

                foreach (var (id, instance, _) in members)
                {
                    assignments.Add((id, facts.Assignment.GetValueOrDefault(instance ?? id) ?? []));
                }
            }

            var before = Describe();
            var now = NowMs;
            var task = coordinator.SyncGroupAsync(groupId, generation, member.MemberId, member.InstanceId, "consumer", "range", assignments);
            member.Sync = new Pending<SyncGroupResult>(task, now, generation, -1);
            member.LastAliveMs = now;
            if (member.IsLeader)
            {
                // The leader's SyncGroup refreshes every member's session.
                foreach (var other in _incarnations)
                {
                    other.LastAliveMs = now;
                }

                if (before is { State: GroupState.CompletingRebalance })
                {
                    // Answered once the group metadata is appended (real time), not by the clock.
                    await Eventually.WithinAsync(task, "the leader's SyncGroup is answered after its append", s_safetyNet);
                }
            }

            Harvest();
        }

        private static ErrorCode ValidateMember(GroupDescription? description, string memberId, string? instanceId)
        {
            if (description is null)
            {
                return ErrorCode.UnknownMemberId;
            }

            if (instanceId is not null)
            {
                var holder = description.Members.Find(m => m.GroupInstanceId == instanceId);
                if (holder is null)
                {
                    return ErrorCode.UnknownMemberId;
                }

                if (holder.MemberId != memberId)
                {
                    return ErrorCode.FencedInstanceId;
                }
            }

            return description.Members.Exists(m => m.MemberId == memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
        }

        /// <summary>
        /// Kafka's answer to a heartbeat. A member the coordinator describes has no JoinGroup in flight
        /// here, so the generation it last joined is the group's: a lower one is stale.
        /// </summary>
        private static ErrorCode ExpectedHeartbeat(GroupDescription? description, Incarnation member, int generation)
        {
            var error = ValidateMember(description, member.MemberId, member.InstanceId);
            if (error != ErrorCode.None)
            {
                return error;
            }

            if (generation != member.Generation)
            {
                return ErrorCode.IllegalGeneration;
            }

            return description!.State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }

        private ErrorCode HeartbeatAndCheck(Incarnation member, int generation)
        {
            var description = Describe();
            var expected = ExpectedHeartbeat(description, member, generation);
            var actual = coordinator.Heartbeat(groupId, generation, member.MemberId, member.InstanceId);
            Assert.True(expected == actual, $"Heartbeat of {member} at generation {generation}: expected {expected}, got {actual}; group {Context(description)}");
            ApplyMemberError(member, actual);
            return actual;
        }

        /// <summary>Kafka's ClassicGroup.validateOffsetCommit: member and generation first, then CompletingRebalance.</summary>
        private static ErrorCode ExpectedCommit(GroupDescription? description, Incarnation? member, string memberId, string? instanceId, int generation)
        {
            if (generation < 0 && (description is null || description.State == GroupState.Empty))
            {
                return ErrorCode.None;
            }

            if (description is null)
            {
                return ErrorCode.IllegalGeneration;
            }

            if (generation >= 0 || memberId.Length > 0 || instanceId is not null)
            {
                var error = ValidateMember(description, memberId, instanceId);
                if (error != ErrorCode.None)
                {
                    return error;
                }

                if (member is null || generation != member.Generation)
                {
                    return ErrorCode.IllegalGeneration;
                }
            }
            else if (description.State != GroupState.Empty)
            {
                return ErrorCode.UnknownMemberId;
            }

            return description.State == GroupState.CompletingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }

        private async Task<ErrorCode> CommitAndCheckAsync(Incarnation? member, string memberId, string? instanceId, int generation, int parameter)
        {
            var partition = parameter % PartitionCount;
            var offset = (long)parameter;
            var description = Describe();
            var expected = ExpectedCommit(description, member, memberId, instanceId, generation);
            var now = NowMs;
            var errors = await Eventually.WithinAsync(
                coordinator.CommitOffsetsAsync(groupId, generation, memberId, instanceId, [new OffsetCommitEntry(Topic, partition, offset, -1, null)]),
                "an OffsetCommit is answered after its append",
                s_safetyNet);
            var actual = Assert.Single(errors);
            Assert.True(expected == actual, $"OffsetCommit by {(member?.ToString() ?? "a simple consumer")} at generation {generation}: expected {expected}, got {actual}; group {Context(description)}");
            if (actual == ErrorCode.None)
            {
                _offsets[partition] = offset;
            }

            if (member is not null)
            {
                if (actual == ErrorCode.None)
                {
                    member.LastAliveMs = now;
                }

                ApplyMemberError(member, actual);
            }

            return actual;
        }

        private void ApplyMemberError(Incarnation member, ErrorCode error)
        {
            switch (error)
            {
                case ErrorCode.None:
                case ErrorCode.RebalanceInProgress:
                    member.LastAliveMs = NowMs;
                    break;
                case ErrorCode.UnknownMemberId:
                    Gone(member);
                    break;
                case ErrorCode.FencedInstanceId:
                    Assert.True(member.InstanceId is not null && member.State != IncarnationState.Active, $"only an older process of a static member is fenced: {member}");
                    break;
            }
        }

        /// <summary>The coordinator forgot the member: a client starts over with a new process state.</summary>
        private void Gone(Incarnation member)
        {
            if (member.State == IncarnationState.Active)
            {
                NewIncarnation(member.Slot);
            }

            if (member.State != IncarnationState.Fenced)
            {
                member.State = IncarnationState.Gone;
            }
        }

        private void Leave(Incarnation member)
        {
            if (member.MemberId.Length == 0 && member.InstanceId is null)
            {
                return;
            }

            var description = Describe();
            var expected = member.InstanceId is { } instance
                ? description?.Members.Find(m => m.GroupInstanceId == instance) is not { } holder ? ErrorCode.UnknownMemberId
                : member.MemberId.Length > 0 && member.MemberId != holder.MemberId ? ErrorCode.FencedInstanceId
                : ErrorCode.None
                : description?.Members.Exists(m => m.MemberId == member.MemberId) == true ? ErrorCode.None : ErrorCode.UnknownMemberId;
            var (groupError, memberErrors) = coordinator.LeaveGroup(groupId, [(member.MemberId, member.InstanceId)]);
            var actual = description is null ? groupError : Assert.Single(memberErrors);
            Assert.True(expected == actual, $"LeaveGroup of {member}: expected {expected}, got {actual}; group {Context(description)}");
            if (actual == ErrorCode.None)
            {
                // Its waiting requests are answered at once (UNKNOWN_MEMBER_ID).
                Assert.True(member.Join?.Task.IsCompleted != false, $"the JoinGroup of {member} is answered when it leaves");
                Assert.True(member.Sync?.Task.IsCompleted != false, $"the SyncGroup of {member} is answered when it leaves");
                Harvest();
                if (member.State == IncarnationState.Active)
                {
                    NewIncarnation(member.Slot);
                }

                member.State = IncarnationState.Gone;
            }
        }

        /// <summary>A process restarts: a static member comes back under its instance id (and fences its old id), a dynamic one as a new member.</summary>
        private async Task RestartAsync(int slot)
        {
            var old = _current[slot];
            if (old.MemberId.Length == 0 && !old.HasPending)
            {
                await JoinAsync(old);
                return;
            }

            old.State = old.InstanceId is null ? IncarnationState.Abandoned : IncarnationState.Fenced;
            var next = NewIncarnation(slot);
            await JoinAsync(next);
            if (old.InstanceId is null)
            {
                return;
            }

            // The takeover happened when the JoinGroup arrived: the old process is fenced at once
            // (its commit is checked against Kafka's answer for the state the takeover left), and
            // whatever it was waiting for is answered.
            Assert.True(old.Join?.Task.IsCompleted != false, $"the JoinGroup of replaced {old} is answered");
            Assert.True(old.Sync?.Task.IsCompleted != false, $"the SyncGroup of replaced {old} is answered");
            if (old.MemberId.Length > 0)
            {
                var description = Describe();
                var heartbeat = coordinator.Heartbeat(groupId, old.Generation, old.MemberId, old.InstanceId);
                Assert.True(heartbeat == ErrorCode.FencedInstanceId, $"Heartbeat of replaced {old}: got {heartbeat}; group {Context(description)}");
                var commit = await CommitAndCheckAsync(old, old.MemberId, old.InstanceId, old.Generation, 0);
                Assert.NotEqual(ErrorCode.None, commit);
            }
        }

        /// <summary>An older process of the slot (fenced, left, expired or abandoned) sends a heartbeat and a commit.</summary>
        private async Task ProbeOldIncarnationAsync(int slot, int parameter)
        {
            var old = _incarnations.LastOrDefault(i => i.Slot == slot && i.State != IncarnationState.Active && i.MemberId.Length > 0 && i.Join is null);
            if (old is null)
            {
                return;
            }

            var heartbeat = HeartbeatAndCheck(old, old.Generation);
            if (old.State is IncarnationState.Fenced or IncarnationState.Gone)
            {
                Assert.True(heartbeat is ErrorCode.UnknownMemberId or ErrorCode.FencedInstanceId, $"{old} is never a member again: {heartbeat}");
            }

            var generation = parameter % 2 == 0 ? old.Generation : old.Generation - 1;
            var commit = await CommitAndCheckAsync(old, old.MemberId, old.InstanceId, generation, parameter);
            if (old.State is IncarnationState.Fenced or IncarnationState.Gone && generation >= 0)
            {
                // (With generation -1 an Empty group takes anyone's commit, as Kafka's does.)
                Assert.NotEqual(ErrorCode.None, commit);
            }
        }

        /// <summary>Processes every answered JoinGroup and SyncGroup.</summary>
        private void Harvest()
        {
            // Indexed: a member told UNKNOWN_MEMBER_ID makes way for a new incarnation of its slot.
            for (var i = 0; i < _incarnations.Count; i++)
            {
                var member = _incarnations[i];
                if (member.Join is { Task.IsCompleted: true } join)
                {
                    member.Join = null;
                    OnJoined(member, join, join.Task.Result);
                }

                if (member.Sync is { Task.IsCompleted: true } sync)
                {
                    member.Sync = null;
                    OnSynced(member, sync, sync.Task.Result);
                }
            }
        }

        private void OnJoined(Incarnation member, Pending<JoinGroupResult> join, JoinGroupResult result)
        {
            switch (result.Error)
            {
                case ErrorCode.None:
                    break;
                case ErrorCode.UnknownMemberId:
                    Gone(member);
                    return;
                case ErrorCode.FencedInstanceId:
                    Assert.True(member.InstanceId is not null && member.State != IncarnationState.Active, $"only an older process of a static member's JoinGroup is fenced: {member}");
                    return;
                default:
                    Assert.Fail($"JoinGroup of {member} answered {result.Error}");
                    return;
            }

            if (member.MemberId.Length > 0)
            {
                Assert.Equal(member.MemberId, result.MemberId);
            }
            else
            {
                Assert.NotNull(member.InstanceId);
                // The leader's list may have named it first, under its instance id.
                Assert.True(_keys.GetValueOrDefault(result.MemberId, member.InstanceId) == member.InstanceId, $"{result.MemberId} was handed out before, to {_keys.GetValueOrDefault(result.MemberId)}");
                Assert.False(_incarnations.Exists(i => i != member && i.MemberId == result.MemberId), $"a restarted static member gets a fresh member id, not {result.MemberId}");
                _keys[result.MemberId] = member.InstanceId;
                member.MemberId = result.MemberId;
            }

            var generation = result.GenerationId;
            Assert.True(generation >= 1 && generation >= join.FloorGeneration, $"JoinGroup of {member} answered generation {generation}, below {join.FloorGeneration} seen before it was sent");
            _maxGeneration = Math.Max(_maxGeneration, generation);
            Assert.Equal("consumer", result.ProtocolType);
            Assert.Equal("range", result.ProtocolName);

            var facts = Facts(generation);
            facts.Joined.Add(member.Key);
            facts.LeaderIds.Add(result.LeaderId);
            var isLeader = result.LeaderId == result.MemberId;
            if (isLeader)
            {
                Assert.NotNull(result.Members);
                var keys = new List<string>();
                foreach (var (id, instance, _) in result.Members)
                {
                    if (instance is not null)
                    {
                        _keys[id] = instance;
                    }
                    else
                    {
                        Assert.True(_keys.ContainsKey(id), $"the leader's member list of generation {generation} has {id}, an id no client was given");
                    }

                    keys.Add(instance ?? id);
                }

                facts.LeaderLists.Add(keys);
            }
            else
            {
                Assert.True(result.Members is null || result.Members.Count == 0, $"only the leader gets the member list: {member}");
            }

            member.Generation = generation;
            member.IsLeader = isLeader;
            member.SkipAssignment = result.SkipAssignment;
            member.LeaderMembers = isLeader ? result.Members : null;
            member.LastAliveMs = NowMs;
        }

        private void OnSynced(Incarnation member, Pending<SyncGroupResult> sync, SyncGroupResult result)
        {
            switch (result.Error)
            {
                case ErrorCode.None:
                    break;
                case ErrorCode.RebalanceInProgress:
                case ErrorCode.IllegalGeneration:
                    member.LastAliveMs = NowMs;
                    return;
                case ErrorCode.UnknownMemberId:
                    Gone(member);
                    return;
                case ErrorCode.FencedInstanceId:
                    Assert.True(member.InstanceId is not null && member.State != IncarnationState.Active, $"only an older process of a static member's SyncGroup is fenced: {member}");
                    return;
                default:
                    Assert.Fail($"SyncGroup of {member} answered {result.Error}");
                    return;
            }

            member.LastAliveMs = NowMs;
            var facts = Facts(sync.Generation);
            Assert.True(facts.Assignment is not null, $"SyncGroup of {member} for generation {sync.Generation} succeeded before its leader sent the assignment");
            Assert.True(facts.Joined.Contains(member.Key), $"{member} got an assignment for generation {sync.Generation} without joining it");
            var expected = facts.Assignment.GetValueOrDefault(member.Key) ?? [];
            Assert.True(expected.AsSpan().SequenceEqual(result.Assignment), $"{member} got [{string.Join(",", result.Assignment)}] in generation {sync.Generation}; its leader assigned [{string.Join(",", expected)}]");
            foreach (var partition in result.Assignment)
            {
                if (facts.Owners.TryGetValue(partition, out var owner))
                {
                    Assert.True(owner == member.Key, $"partition {partition} handed to {owner} and {member.Key} in generation {sync.Generation}");
                }

                facts.Owners[partition] = member.Key;
            }
        }

        /// <summary>The checks after every step.</summary>
        public void Observe(Op op)
        {
            Harvest();
            var now = NowMs;

            // No request hangs: past the rebalance timeout after it was sent, it has been answered.
            foreach (var member in _incarnations)
            {
                if (member.Join is { } join)
                {
                    Assert.True(now < join.IssuedMs + RebalanceTimeoutMs + TickSlackMs, $"after {op}: the JoinGroup of {member} sent at {join.IssuedMs} is still waiting at {now}");
                }

                if (member.Sync is { } sync)
                {
                    Assert.True(now < sync.IssuedMs + RebalanceTimeoutMs + TickSlackMs, $"after {op}: the SyncGroup of {member} sent at {sync.IssuedMs} is still waiting at {now}");
                }
            }

            var description = Describe();
            var context = $"after {op}: group {Context(description)}";
            if (description is null)
            {
                // Not created yet, or deleted by the retention check once Empty with no offsets (as
                // Kafka does): a new group starts again from generation 1.
                _maxGeneration = 0;
                _generations.Clear();
            }
            var described = description?.Members ?? new List<GroupMemberDescription>();
            Assert.Equal(described.Count, described.Select(m => m.MemberId).Distinct().Count());
            var instances = described.Where(m => m.GroupInstanceId is not null).Select(m => m.GroupInstanceId).ToList();
            Assert.True(instances.Count == instances.Distinct().Count(), $"two members hold one instance id; {context}");
            foreach (var m in described)
            {
                if (m.GroupInstanceId is null)
                {
                    Assert.True(_keys.ContainsKey(m.MemberId), $"{m.MemberId} is a member, but no client was given that id; {context}");
                }
            }

            foreach (var member in _incarnations)
            {
                var isDescribed = member.MemberId.Length > 0 && described.Exists(m => m.MemberId == member.MemberId);
                if (member.State is IncarnationState.Fenced or IncarnationState.Gone)
                {
                    Assert.False(isDescribed, $"{member} is a member again; {context}");
                }

                if (member.MemberId.Length > 0 && (member.Join is not null || member.Sync is not null))
                {
                    Assert.True(isDescribed, $"{member} waits in JoinGroup or SyncGroup but is no longer a member; {context}");
                }
            }

            // Sessions: once the clock is past the session timeout since anything could have kept a
            // member alive, it is gone and told so.
            foreach (var member in _incarnations.ToList())
            {
                if (member.State is IncarnationState.Active or IncarnationState.Abandoned && member.MemberId.Length > 0 && !member.HasPending && now >= member.LastAliveMs + SessionTimeoutMs + TickSlackMs)
                {
                    Assert.False(described.Exists(m => m.MemberId == member.MemberId), $"{member}, last alive at {member.LastAliveMs}, is still a member at {now}; {context}");
                    var heartbeat = coordinator.Heartbeat(groupId, member.Generation, member.MemberId, member.InstanceId);
                    Assert.True(heartbeat == ErrorCode.UnknownMemberId, $"expired {member} heartbeats and gets {heartbeat}; {context}");
                    Gone(member);
                }
            }

            if (description is { State: GroupState.Stable })
            {
                var owned = new HashSet<byte>();
                foreach (var m in described)
                {
                    foreach (var partition in m.Assignment)
                    {
                        Assert.True(partition < PartitionCount && owned.Add(partition), $"partition {partition} is owned twice in a Stable group; {context}");
                    }
                }
            }

            // Offsets: the last accepted commit per partition.
            var (fetchError, topics) = coordinator.FetchOffsets(groupId, [(Topic, Enumerable.Range(0, PartitionCount).ToList())]);
            Assert.Equal(ErrorCode.None, fetchError);
            foreach (var (partition, committed) in Assert.Single(topics).Partitions)
            {
                long? expected = _offsets.TryGetValue(partition, out var offset) ? offset : null;
                Assert.True(expected == committed?.Offset, $"partition {partition}: committed {committed?.Offset}, expected {expected}; {context}");
            }

            CheckGenerations(context);
        }

        private void CheckGenerations(string context)
        {
            foreach (var (generation, facts) in _generations)
            {
                var leaders = facts.LeaderIds.Select(id => _keys.GetValueOrDefault(id)).Where(key => key is not null).Distinct().ToList();
                Assert.True(leaders.Count <= 1, $"generation {generation} has leaders {string.Join(", ", leaders)}; {context}");
                if (facts.LeaderLists.Count == 0)
                {
                    continue;
                }

                var list = facts.LeaderLists[0];
                Assert.True(list.Count == list.Distinct().Count(), $"the leader's list of generation {generation} names a member twice: {string.Join(", ", list)}; {context}");
                foreach (var other in facts.LeaderLists)
                {
                    Assert.True(list.Order().SequenceEqual(other.Order()), $"generation {generation} has two leader lists: {string.Join(", ", list)} and {string.Join(", ", other)}; {context}");
                }

                foreach (var key in facts.Joined)
                {
                    Assert.True(list.Contains(key), $"{key} joined generation {generation} but is not in its leader's list {string.Join(", ", list)}; {context}");
                }
            }
        }

        /// <summary>Past every deadline: every request is answered.</summary>
        public void Settle()
        {
            var settle = new Op(OpKind.AdvanceClock, 0, 2);
            for (var round = 0; round < 3; round++)
            {
                time.AdvanceAndTick(coordinator, TimeSpan.FromMilliseconds(RebalanceTimeoutMs + TickSlackMs));
                Observe(settle);
            }

            foreach (var member in _incarnations)
            {
                Assert.False(member.HasPending, $"{member} still waits after the clock passed every deadline");
            }
        }
    }
}
