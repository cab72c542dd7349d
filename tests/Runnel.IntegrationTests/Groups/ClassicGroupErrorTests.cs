using Runnel.Broker;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// Classic group requests that must fail, spoken on the wire so every error code is visible: unknown
/// members, old generations, fenced static members, bad ids and timeouts, a flood of new members,
/// and member metadata too large to store.
/// </summary>
public sealed class ClassicGroupErrorTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Config = new(ClassicGroupTests.FastGroups)
    {
        ["group.max.size"] = "3",
    };

    private RunnelBroker? _broker;
    private WireClient? _client;

    private WireClient Client => _client!;

    public async ValueTask InitializeAsync()
    {
        _broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = Config });
        _client = await WireClient.ConnectAsync("127.0.0.1", _broker.Port);
        await _broker.Host.GroupCoordinator.Load.Start().WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _client!.DisposeAsync();
        await _broker!.DisposeAsync();
    }

    [Fact]
    public async Task Requests_of_members_the_group_does_not_know_get_UNKNOWN_MEMBER_ID()
    {
        var group = NewGroup();
        Assert.Equal(ErrorCode.UnknownMemberId, (ErrorCode)(await JoinAsync(group, memberId: "made-up")).ErrorCode);
        Assert.Equal(ErrorCode.UnknownMemberId, (ErrorCode)(await HeartbeatAsync(group, 1, "made-up")).ErrorCode);
        var sync = await Client.SendAsync<SyncGroupResponse>(new SyncGroupRequest { GroupId = group, GenerationId = 1, MemberId = "made-up" }, 3, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCode.UnknownMemberId, (ErrorCode)sync.ErrorCode);

        var joined = await JoinAsync(group);
        Assert.Equal(ErrorCode.UnknownMemberId, (ErrorCode)(await HeartbeatAsync(group, joined.GenerationId, "made-up")).ErrorCode);
    }

    [Fact]
    public async Task An_old_generation_gets_ILLEGAL_GENERATION()
    {
        var group = NewGroup();
        var joined = await JoinAsync(group);
        Assert.Equal(0, joined.ErrorCode);
        await SyncAsync(group, joined);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await HeartbeatAsync(group, joined.GenerationId, joined.MemberId)).ErrorCode);
        Assert.Equal(ErrorCode.IllegalGeneration, (ErrorCode)(await HeartbeatAsync(group, joined.GenerationId + 1, joined.MemberId)).ErrorCode);
        var commit = await Client.SendAsync<OffsetCommitResponse>(
            new OffsetCommitRequest
            {
                GroupId = group,
                GenerationIdOrMemberEpoch = joined.GenerationId - 1,
                MemberId = joined.MemberId,
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = GroupCoordinatorTopic, Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 1 }] }],
            },
            8,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCode.IllegalGeneration, (ErrorCode)commit.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task A_replaced_static_member_is_fenced_with_FENCED_INSTANCE_ID()
    {
        var group = NewGroup();
        var first = await JoinAsync(group, instanceId: "instance-1");
        Assert.Equal(0, first.ErrorCode);
        await SyncAsync(group, first);

        // The same instance restarts: it takes over under a new member id, without a rebalance.
        var second = await JoinAsync(group, instanceId: "instance-1");
        Assert.Equal(0, second.ErrorCode);
        Assert.NotEqual(first.MemberId, second.MemberId);
        Assert.Equal(first.GenerationId, second.GenerationId);
        Assert.True(second.SkipAssignment);

        Assert.Equal(ErrorCode.FencedInstanceId, (ErrorCode)(await HeartbeatAsync(group, first.GenerationId, first.MemberId, "instance-1")).ErrorCode);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await HeartbeatAsync(group, second.GenerationId, second.MemberId, "instance-1")).ErrorCode);
        var leave = await Client.SendAsync<LeaveGroupResponse>(
            new LeaveGroupRequest { GroupId = group, Members = [new LeaveGroupRequest.MemberIdentity { MemberId = first.MemberId, GroupInstanceId = "instance-1" }] },
            4,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCode.FencedInstanceId, (ErrorCode)leave.Members[0].ErrorCode);
    }

    [Fact]
    public async Task Bad_group_ids_and_session_timeouts_are_refused()
    {
        Assert.Equal(ErrorCode.InvalidGroupId, (ErrorCode)(await JoinAsync("")).ErrorCode);
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (ErrorCode)(await JoinAsync(NewGroup(), sessionTimeoutMs: 10)).ErrorCode);
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (ErrorCode)(await JoinAsync(NewGroup(), sessionTimeoutMs: int.MaxValue)).ErrorCode);
    }

    [Fact]
    public async Task A_flood_of_new_members_is_bounded_by_group_max_size()
    {
        var group = NewGroup();
        var errors = new List<ErrorCode>();
        for (var i = 0; i < 10; i++)
        {
            // JoinGroup v4+ with no member id: each answer hands out a fresh id (MEMBER_ID_REQUIRED).
            errors.Add((ErrorCode)(await JoinAsync(group, version: 5)).ErrorCode);
        }

        Assert.Equal(3, errors.Count(e => e == ErrorCode.MemberIdRequired));
        Assert.Equal(7, errors.Count(e => e == ErrorCode.GroupMaxSizeReached));
    }

    [Fact]
    public async Task Member_metadata_too_large_to_store_fails_the_sync_and_the_broker_keeps_serving()
    {
        var group = NewGroup();
        var huge = new byte[1_200_000]; // Over __consumer_offsets' max.message.bytes (1 MiB), under socket.request.max.bytes.
        var joined = await JoinAsync(group, metadata: huge);
        Assert.Equal(0, joined.ErrorCode);
        var sync = await SyncAsync(group, joined, expectSuccess: false);
        Assert.Equal(ErrorCode.UnknownServerError, (ErrorCode)sync.ErrorCode);

        var other = await JoinAsync(NewGroup());
        Assert.Equal(0, other.ErrorCode);
        Assert.Equal(0, (await SyncAsync(other.GroupIdForTest!, other)).ErrorCode);
    }

    [Fact]
    public async Task Committed_metadata_and_leader_epoch_come_back_and_oversized_metadata_is_refused()
    {
        var group = NewGroup();
        var commit = await Client.SendAsync<OffsetCommitResponse>(
            new OffsetCommitRequest
            {
                GroupId = group,
                GenerationIdOrMemberEpoch = -1,
                MemberId = "",
                Topics =
                [
                    new OffsetCommitRequest.OffsetCommitRequestTopic
                    {
                        Name = GroupCoordinatorTopic,
                        Partitions =
                        [
                            new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 42, CommittedLeaderEpoch = 7, CommittedMetadata = "checkpoint-42" },
                            new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 1, CommittedOffset = 5, CommittedMetadata = new string('m', 4097) },
                        ],
                    },
                ],
            },
            8,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCode.None, (ErrorCode)commit.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(ErrorCode.OffsetMetadataTooLarge, (ErrorCode)commit.Topics[0].Partitions[1].ErrorCode);

        var fetch = await Client.SendAsync<OffsetFetchResponse>(
            new OffsetFetchRequest { Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = group, Topics = [new OffsetFetchRequest.OffsetFetchRequestTopics { Name = GroupCoordinatorTopic, PartitionIndexes = [0, 1] }] }] },
            8,
            cancellationToken: TestContext.Current.CancellationToken);
        var partitions = fetch.Groups.Single().Topics.Single().Partitions;
        Assert.Equal((42L, 7, "checkpoint-42"), (partitions[0].CommittedOffset, partitions[0].CommittedLeaderEpoch, partitions[0].Metadata));
        Assert.Equal(-1L, partitions[1].CommittedOffset);
    }

    private const string GroupCoordinatorTopic = "__consumer_offsets";

    private static string NewGroup() => "errors-" + Guid.NewGuid().ToString("N");

    private async Task<JoinResult> JoinAsync(string group, string memberId = "", string? instanceId = null, int sessionTimeoutMs = 10_000, byte[]? metadata = null, short version = 9)
    {
        var response = await Client.SendAsync<JoinGroupResponse>(
            new JoinGroupRequest
            {
                GroupId = group,
                SessionTimeoutMs = sessionTimeoutMs,
                RebalanceTimeoutMs = 10_000,
                MemberId = memberId,
                GroupInstanceId = instanceId,
                ProtocolType = "consumer",
                Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = metadata ?? SilentMember.Subscription("t") }],
            },
            version,
            cancellationToken: TestContext.Current.CancellationToken);
        if ((ErrorCode)response.ErrorCode == ErrorCode.MemberIdRequired && version == 9)
        {
            return await JoinAsync(group, response.MemberId, instanceId, sessionTimeoutMs, metadata, version);
        }

        return new JoinResult(response.ErrorCode, response.MemberId, response.GenerationId, response.SkipAssignment, group);
    }

    private async Task<SyncGroupResponse> SyncAsync(string group, JoinResult joined, bool expectSuccess = true)
    {
        var response = await Client.SendAsync<SyncGroupResponse>(
            new SyncGroupRequest
            {
                GroupId = group,
                GenerationId = joined.GenerationId,
                MemberId = joined.MemberId,
                Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = [0, 1] }],
            },
            5,
            cancellationToken: TestContext.Current.CancellationToken);
        if (expectSuccess)
        {
            Assert.Equal(0, response.ErrorCode);
        }

        return response;
    }

    private Task<HeartbeatResponse> HeartbeatAsync(string group, int generation, string memberId, string? instanceId = null) =>
        Client.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = group, GenerationId = generation, MemberId = memberId, GroupInstanceId = instanceId }, 4, cancellationToken: TestContext.Current.CancellationToken);

    private sealed record JoinResult(short ErrorCode, string MemberId, int GenerationId, bool SkipAssignment, string? GroupIdForTest);
}
