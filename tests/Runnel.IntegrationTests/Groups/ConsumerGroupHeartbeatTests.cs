using Microsoft.Extensions.Time.Testing;
using Runnel.Broker;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// ConsumerGroupHeartbeat (KIP-848) on the wire against a broker whose clock is a
/// <see cref="FakeTimeProvider"/>: timeouts happen when the test moves the clock, never by waiting.
/// </summary>
public sealed class ConsumerGroupHeartbeatTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private RunnelBroker? _broker;
    private string _topic = "";
    private Guid _topicId;

    private RunnelBroker Broker => _broker!;

    public async ValueTask InitializeAsync()
    {
        _broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions
        {
            TimeProvider = _time,
            Config = new Dictionary<string, string> { ["offsets.topic.num.partitions"] = "2" },
        }, TestContext.Current.CancellationToken);
        _topic = BrokerFixture.NewTopicName("kip848-wire");
        var created = await Broker.Host.Topics.CreateTopicAsync(_topic, 4, new Dictionary<string, string>(), validateOnly: false, TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCode.None, created.Error);
        Assert.True(Broker.Host.Topics.Image.TryGetTopic(_topic, out var topic));
        _topicId = topic.TopicId;
        await Broker.Host.GroupCoordinator.Load.Start().WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    private static string NewGroup() => "g-" + Guid.NewGuid().ToString("N");

    private Task<WireConsumerMember> MemberAsync(string group, string? instanceId = null) => WireConsumerMember.ConnectAsync(Broker.Port, group, instanceId);

    [Fact]
    public async Task A_member_joins_with_epoch_zero_and_gets_every_partition_at_the_first_group_epoch()
    {
        await using var member = await MemberAsync(NewGroup());
        var response = await member.JoinAsync([_topic]);
        Assert.Equal(0, response.ErrorCode);
        Assert.Equal(member.MemberId, response.MemberId);
        Assert.Equal(1, response.MemberEpoch);
        Assert.Equal(5000, response.HeartbeatIntervalMs);
        Assert.Equal(Enumerable.Range(0, 4), member.Assigned.Where(p => p.TopicId == _topicId).Select(p => p.Partition).Order());
    }

    [Fact]
    public async Task A_heartbeat_without_changes_carries_no_assignment()
    {
        await using var member = await MemberAsync(NewGroup());
        await member.JoinAsync([_topic]);
        var response = await member.HeartbeatAsync();
        Assert.Equal(0, response.ErrorCode);
        Assert.Null(response.Assignment);
    }

    [Fact]
    public async Task An_epoch_ahead_of_the_coordinator_is_fenced()
    {
        var group = NewGroup();
        await using var member = await MemberAsync(group);
        await member.JoinAsync([_topic]);
        var response = await member.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = member.MemberId, MemberEpoch = member.MemberEpoch + 1 });
        Assert.Equal((short)ErrorCode.FencedMemberEpoch, response.ErrorCode);
    }

    [Fact]
    public async Task An_older_epoch_that_is_not_the_previous_one_is_fenced()
    {
        var group = NewGroup();
        await using var first = await MemberAsync(group);
        await first.JoinAsync([_topic]);
        await using var second = await MemberAsync(group);
        await second.JoinAsync([_topic]);

        // The first member moves on to epoch 2 (revoking first, then acknowledging).
        await first.HeartbeatAsync();
        Assert.Equal(2, first.Assigned.Count);
        await first.HeartbeatAsync();
        Assert.Equal(2, first.MemberEpoch);

        // Epoch 1 is its previous epoch and a subset of its partitions: tolerated (a lost response).
        var tolerated = await first.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = first.MemberId, MemberEpoch = 1, TopicPartitions = first.Owned() });
        Assert.Equal(0, tolerated.ErrorCode);

        // Epoch 0 is neither: fenced.
        var fenced = await first.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = first.MemberId, MemberEpoch = 0, RebalanceTimeoutMs = 1000, SubscribedTopicNames = [_topic], TopicPartitions = [] });
        Assert.Equal((short)ErrorCode.FencedMemberEpoch, fenced.ErrorCode);
    }

    [Fact]
    public async Task An_unknown_member_gets_unknown_member_id()
    {
        var group = NewGroup();
        await using var member = await MemberAsync(group);
        await member.JoinAsync([_topic]);
        var response = await member.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = "someone-else", MemberEpoch = 1 });
        Assert.Equal((short)ErrorCode.UnknownMemberId, response.ErrorCode);
    }

    [Fact]
    public async Task A_heartbeat_for_an_unknown_group_gets_group_id_not_found()
    {
        var group = NewGroup();
        await using var member = await MemberAsync(group);
        var response = await member.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = member.MemberId, MemberEpoch = 3 });
        Assert.Equal((short)ErrorCode.GroupIdNotFound, response.ErrorCode);
    }

    [Fact]
    public async Task A_second_instance_with_a_held_instance_id_gets_unreleased_instance_id()
    {
        var group = NewGroup();
        await using var first = await MemberAsync(group, instanceId: "instance-1");
        Assert.Equal(0, (await first.JoinAsync([_topic])).ErrorCode);
        await using var second = await MemberAsync(group, instanceId: "instance-1");
        var response = await second.JoinAsync([_topic]);
        Assert.Equal((short)ErrorCode.UnreleasedInstanceId, response.ErrorCode);
    }

    [Fact]
    public async Task A_static_member_that_left_temporarily_is_replaced_by_its_next_instance_with_the_same_partitions()
    {
        var group = NewGroup();
        await using var first = await MemberAsync(group, instanceId: "instance-1");
        await first.JoinAsync([_topic]);
        var partitions = first.Assigned.Order().ToList();
        var left = await first.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = first.MemberId, MemberEpoch = -2, InstanceId = "instance-1" });
        Assert.Equal(-2, left.MemberEpoch);

        await using var second = await MemberAsync(group, instanceId: "instance-1");
        var response = await second.JoinAsync([_topic]);
        Assert.Equal(0, response.ErrorCode);
        Assert.Equal(1, response.MemberEpoch);
        Assert.Equal(partitions, second.Assigned.Order().ToList());

        var stale = await first.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = first.MemberId, MemberEpoch = 1, InstanceId = "instance-1" });
        Assert.Equal((short)ErrorCode.FencedInstanceId, stale.ErrorCode);
    }

    [Fact]
    public async Task An_assignor_the_broker_does_not_have_gets_unsupported_assignor()
    {
        await using var member = await MemberAsync(NewGroup());
        var response = await member.JoinAsync([_topic], assignor: "sticky");
        Assert.Equal((short)ErrorCode.UnsupportedAssignor, response.ErrorCode);
    }

    [Fact]
    public async Task A_regex_that_does_not_compile_gets_invalid_regular_expression()
    {
        await using var member = await MemberAsync(NewGroup());
        var response = await member.JoinAsync(null, regex: "kip848-(unclosed");
        Assert.Equal((short)ErrorCode.InvalidRegularExpression, response.ErrorCode);
    }

    [Fact]
    public async Task A_regex_matches_whole_topic_names()
    {
        await using var member = await MemberAsync(NewGroup());
        Assert.Equal(0, (await member.JoinAsync(null, regex: "kip848-wire")).ErrorCode);
        Assert.Empty(member.Assigned);

        await using var other = await MemberAsync(NewGroup());
        Assert.Equal(0, (await other.JoinAsync(null, regex: "kip848-wire-.*")).ErrorCode);
        Assert.Equal(4, other.Assigned.Count);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_removed_when_its_session_expires()
    {
        var group = NewGroup();
        await using var member = await MemberAsync(group);
        await member.JoinAsync([_topic]);
        _time.AdvanceAndTick(Broker.Host.GroupCoordinator, TimeSpan.FromMilliseconds(44_000));
        Assert.Equal(0, (await member.HeartbeatAsync()).ErrorCode);

        // 45 s (group.consumer.session.timeout.ms) after its last heartbeat it is gone.
        _time.AdvanceAndTick(Broker.Host.GroupCoordinator, TimeSpan.FromMilliseconds(45_001));
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await member.HeartbeatAsync()).ErrorCode);
    }

    [Fact]
    public async Task A_member_that_does_not_revoke_within_its_rebalance_timeout_is_fenced_and_the_partitions_move()
    {
        var group = NewGroup();
        await using var holder = await MemberAsync(group);
        await holder.JoinAsync([_topic]);
        var all = holder.Owned();
        await using var newcomer = await MemberAsync(group);
        await newcomer.JoinAsync([_topic]);
        Assert.Empty(newcomer.Assigned);

        // The holder is asked to give up two partitions but keeps reporting all four.
        var revoke = await holder.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = holder.MemberId, MemberEpoch = holder.MemberEpoch, TopicPartitions = all });
        Assert.Equal(2, revoke.Assignment!.TopicPartitions.Sum(t => t.Partitions.Count));
        await holder.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = holder.MemberId, MemberEpoch = holder.MemberEpoch, TopicPartitions = all });

        // Meanwhile the newcomer cannot have them.
        Assert.Equal(0, (await newcomer.HeartbeatAsync()).ErrorCode);
        Assert.Empty(newcomer.Assigned);

        // The rebalance timeout the holder joined with (10 s) passes: it is fenced.
        _time.AdvanceAndTick(Broker.Host.GroupCoordinator, TimeSpan.FromMilliseconds(10_001));
        var fenced = await holder.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = holder.MemberId, MemberEpoch = holder.MemberEpoch, TopicPartitions = all });
        Assert.Equal((short)ErrorCode.UnknownMemberId, fenced.ErrorCode);

        Assert.Equal(0, (await newcomer.HeartbeatAsync()).ErrorCode);
        Assert.Equal(4, newcomer.Assigned.Count);
    }

    [Fact]
    public async Task A_member_that_left_is_unknown_and_the_group_is_empty()
    {
        var group = NewGroup();
        await using var member = await MemberAsync(group);
        await member.JoinAsync([_topic]);
        var left = await member.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = member.MemberId, MemberEpoch = -1 });
        Assert.Equal(0, left.ErrorCode);
        Assert.Equal(-1, left.MemberEpoch);
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await member.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = member.MemberId, MemberEpoch = 1 })).ErrorCode);

        await using var client = await WireClient.ConnectAsync("127.0.0.1", Broker.Port, TestContext.Current.CancellationToken);
        var listed = await client.SendAsync<ListGroupsResponse>(new ListGroupsRequest { TypesFilter = ["consumer"] }, 5, cancellationToken: TestContext.Current.CancellationToken);
        var listing = Assert.Single(listed.Groups, g => g.GroupId == group);
        Assert.Equal("Empty", listing.GroupState);
        Assert.Equal("consumer", listing.GroupType);
    }

    [Fact]
    public async Task Offset_commits_and_fetches_carry_the_member_epoch()
    {
        var group = NewGroup();
        await using var member = await MemberAsync(group);
        await member.JoinAsync([_topic]);
        await using var client = await WireClient.ConnectAsync("127.0.0.1", Broker.Port, TestContext.Current.CancellationToken);

        async Task<short> CommitAsync(string memberId, int epoch)
        {
            var request = new OffsetCommitRequest
            {
                GroupId = group,
                MemberId = memberId,
                GenerationIdOrMemberEpoch = epoch,
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = _topic, Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 5 }] }],
            };
            var response = await client.SendAsync<OffsetCommitResponse>(request, 9, cancellationToken: TestContext.Current.CancellationToken);
            return response.Topics[0].Partitions[0].ErrorCode;
        }

        async Task<short> FetchAsync(string? memberId, int epoch)
        {
            var request = new OffsetFetchRequest { Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = group, MemberId = memberId, MemberEpoch = epoch, Topics = null }] };
            var response = await client.SendAsync<OffsetFetchResponse>(request, 9, cancellationToken: TestContext.Current.CancellationToken);
            return response.Groups[0].ErrorCode;
        }

        Assert.Equal((short)ErrorCode.StaleMemberEpoch, await CommitAsync(member.MemberId, member.MemberEpoch + 1));
        Assert.Equal((short)ErrorCode.UnknownMemberId, await CommitAsync("", -1));
        Assert.Equal(0, await CommitAsync(member.MemberId, member.MemberEpoch));
        Assert.Equal((short)ErrorCode.StaleMemberEpoch, await FetchAsync(member.MemberId, member.MemberEpoch + 1));
        Assert.Equal(0, await FetchAsync(member.MemberId, member.MemberEpoch));
        Assert.Equal(0, await FetchAsync(null, -1));

        // Once the group is empty, an admin's commit (generation -1, no member) is allowed.
        await member.SendAsync(new ConsumerGroupHeartbeatRequest { GroupId = group, MemberId = member.MemberId, MemberEpoch = -1 });
        Assert.Equal(0, await CommitAsync("", -1));
    }

    [Fact]
    public async Task A_classic_group_with_members_is_not_a_consumer_group()
    {
        var group = NewGroup();
        await using var client = await WireClient.ConnectAsync("127.0.0.1", Broker.Port, TestContext.Current.CancellationToken);
        var joining = client.SendAsync<JoinGroupResponse>(
            new JoinGroupRequest
            {
                GroupId = group,
                SessionTimeoutMs = 30_000,
                RebalanceTimeoutMs = 30_000,
                ProtocolType = "consumer",
                Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = [0, 0, 0, 0, 0, 0, 255, 255, 255, 255] }],
            },
            3,
            cancellationToken: TestContext.Current.CancellationToken);

        // The first join waits out group.initial.rebalance.delay.ms on the broker's (fake) clock.
        await Eventually.TrueAsync(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return joining.IsCompleted;
            },
            "the classic join completes");
        Assert.Equal(0, (await joining).ErrorCode);

        await using var member = await MemberAsync(group);
        var response = await member.JoinAsync([_topic]);
        Assert.Equal((short)ErrorCode.GroupIdNotFound, response.ErrorCode);
    }

    [Fact]
    public async Task ApiVersions_offers_the_consumer_protocol_apis_only_when_the_protocol_is_enabled()
    {
        await using var client = await WireClient.ConnectAsync("127.0.0.1", Broker.Port, TestContext.Current.CancellationToken);
        var enabled = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0, cancellationToken: TestContext.Current.CancellationToken);
        var heartbeat = Assert.Single(enabled.ApiKeys, k => k.ApiKey == (short)ApiKey.ConsumerGroupHeartbeat);
        Assert.Equal(1, heartbeat.MaxVersion);
        Assert.Single(enabled.ApiKeys, k => k.ApiKey == (short)ApiKey.ConsumerGroupDescribe);

        await using var classicOnly = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = new Dictionary<string, string> { ["group.coordinator.rebalance.protocols"] = "classic" } }, TestContext.Current.CancellationToken);
        await using var other = await WireClient.ConnectAsync("127.0.0.1", classicOnly.Port, TestContext.Current.CancellationToken);
        var disabled = await other.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0, cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain(disabled.ApiKeys, k => k.ApiKey == (short)ApiKey.ConsumerGroupHeartbeat);
        Assert.DoesNotContain(disabled.ApiKeys, k => k.ApiKey == (short)ApiKey.ConsumerGroupDescribe);
    }
}
