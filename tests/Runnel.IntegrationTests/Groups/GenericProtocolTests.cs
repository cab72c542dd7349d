using Runnel.Broker;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// Groups of a protocol type other than "consumer" (Kafka Connect workers use "connect"): the broker
/// elects a protocol, relays opaque metadata to the leader and the leader's opaque assignments back,
/// and describes the group, without interpreting any of the bytes.
/// </summary>
public sealed class GenericProtocolTests
{
    [Fact]
    public async Task Connect_style_members_join_and_get_the_leaders_opaque_assignments()
    {
        // A short initial delay lets both members into the first generation.
        var config = new Dictionary<string, string>(ClassicGroupTests.FastGroups) { ["group.initial.rebalance.delay.ms"] = "500" };
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = config }, TestContext.Current.CancellationToken);
        await broker.Host.GroupCoordinator.Load.Start().WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        await using var first = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);
        await using var second = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);
        var group = "connect-cluster-" + Guid.NewGuid().ToString("N");
        byte[] firstMetadata = [0xC0, 0xFF, 0xEE, 1];
        byte[] secondMetadata = [0xC0, 0xFF, 0xEE, 2];

        // The first prefers "compatible", but only "sessioned" is supported by both: it is chosen.
        var joinFirst = JoinAsync(first, group, [("compatible", firstMetadata), ("sessioned", firstMetadata)]);
        var joinSecond = JoinAsync(second, group, [("sessioned", secondMetadata)]);
        var joined = await Eventually.WithinAsync(Task.WhenAll(joinFirst, joinSecond), "both members join one generation");
        Assert.All(joined, j => Assert.Equal(0, j.ErrorCode));
        Assert.All(joined, j => Assert.Equal("sessioned", j.ProtocolName));
        Assert.Equal(joined[0].GenerationId, joined[1].GenerationId);
        var leader = joined.Single(j => j.Leader == j.MemberId);
        var follower = joined.Single(j => j.Leader != j.MemberId);
        Assert.Empty(follower.Members);
        Assert.Equal(
            new[] { firstMetadata, secondMetadata }.Select(Convert.ToHexString).Order(),
            leader.Members.Select(m => Convert.ToHexString(m.Metadata)).Order());

        var leaderClient = leader == joined[0] ? first : second;
        var followerClient = leader == joined[0] ? second : first;
        byte[] leaderAssignment = [9, 9, 1];
        byte[] followerAssignment = [9, 9, 2];
        var followerSync = SyncAsync(followerClient, group, follower, []);
        var leaderSync = SyncAsync(leaderClient, group, leader, [(leader.MemberId, leaderAssignment), (follower.MemberId, followerAssignment)]);
        Assert.Equal(leaderAssignment, (await leaderSync).Assignment);
        Assert.Equal(followerAssignment, (await followerSync).Assignment);

        var described = await first.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = [group] }, 5, cancellationToken: TestContext.Current.CancellationToken);
        var description = Assert.Single(described.Groups);
        Assert.Equal(("Stable", "connect", "sessioned"), (description.GroupState, description.ProtocolType, description.ProtocolData));
        Assert.Equal(2, description.Members.Count);
    }

    private static Task<JoinGroupResponse> JoinAsync(WireClient client, string group, (string Name, byte[] Metadata)[] protocols) =>
        client.SendAsync<JoinGroupResponse>(
            new JoinGroupRequest
            {
                GroupId = group,
                SessionTimeoutMs = 10_000,
                RebalanceTimeoutMs = 10_000,
                MemberId = "",
                ProtocolType = "connect",
                Protocols = [.. protocols.Select(p => new JoinGroupRequest.JoinGroupRequestProtocol { Name = p.Name, Metadata = p.Metadata })],
            },
            3,
            cancellationToken: TestContext.Current.CancellationToken);

    private static Task<SyncGroupResponse> SyncAsync(WireClient client, string group, JoinGroupResponse joined, (string MemberId, byte[] Assignment)[] assignments) =>
        client.SendAsync<SyncGroupResponse>(
            new SyncGroupRequest
            {
                GroupId = group,
                GenerationId = joined.GenerationId,
                MemberId = joined.MemberId,
                Assignments = [.. assignments.Select(a => new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = a.MemberId, Assignment = a.Assignment })],
            },
            3,
            cancellationToken: TestContext.Current.CancellationToken);
}
