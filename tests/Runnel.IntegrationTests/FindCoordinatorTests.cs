using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>FindCoordinator is advertised from v0 (librdkafka keys LZ4 on it) and answers honestly.</summary>
[Collection(BrokerCollection.Name)]
public sealed class FindCoordinatorTests(BrokerFixture fixture)
{
    [Fact]
    public async Task A_group_key_reports_this_node_once_the_group_coordinator_has_loaded()
    {
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        FindCoordinatorResponse v0;
        while (true)
        {
            // Until __consumer_offsets is replayed the answer is COORDINATOR_NOT_AVAILABLE (clients retry).
            v0 = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "g1" }, 0, cancellationToken: TestContext.Current.CancellationToken);
            if (v0.ErrorCode != (short)ErrorCode.CoordinatorNotAvailable || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Yield();
        }

        Assert.Equal((short)ErrorCode.None, v0.ErrorCode);
        Assert.Equal(fixture.Broker.Host.Config.NodeId, v0.NodeId);
        Assert.Equal(fixture.Broker.Port, v0.Port);

        var v4 = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = ["a", "b"] }, 4, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["a", "b"], v4.Coordinators.Select(c => c.Key));
        Assert.All(v4.Coordinators, c => Assert.Equal((short)ErrorCode.None, c.ErrorCode));
        Assert.All(v4.Coordinators, c => Assert.Equal(fixture.Broker.Port, c.Port));
    }

    [Fact]
    public async Task An_unknown_key_type_is_an_invalid_request()
    {
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);
        var response = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "x", KeyType = 9 }, 3, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((short)ErrorCode.InvalidRequest, response.ErrorCode);
    }

    [Fact]
    public async Task ApiVersions_lists_FindCoordinator_from_v0()
    {
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);
        var versions = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0, cancellationToken: TestContext.Current.CancellationToken);
        var entry = Assert.Single(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.FindCoordinator);
        Assert.Equal(0, entry.MinVersion);
    }
}
