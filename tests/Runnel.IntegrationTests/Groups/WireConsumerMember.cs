using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// A consumer-protocol (KIP-848) group member spoken on the wire with ConsumerGroupHeartbeat v1: it
/// generates its member id, reports the partitions it was given as owned (acknowledging at once),
/// and heartbeats only when told to, so a test can stop it as a frozen process would stop.
/// </summary>
internal sealed class WireConsumerMember : IAsyncDisposable
{
    private readonly WireClient _client;
    private readonly string _group;
    private readonly string? _instanceId;

    private WireConsumerMember(WireClient client, string group, string? instanceId)
    {
        _client = client;
        _group = group;
        _instanceId = instanceId;
    }

    public string MemberId { get; } = Guid.NewGuid().ToString("N");

    public int MemberEpoch { get; private set; }

    /// <summary>The partitions the coordinator last assigned, by topic id.</summary>
    public List<(Guid TopicId, int Partition)> Assigned { get; private set; } = [];

    public static async Task<WireConsumerMember> ConnectAsync(int port, string group, string? instanceId = null) =>
        new(await WireClient.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken), group, instanceId);

    /// <summary>The first heartbeat (epoch 0) with a subscription; returns the response.</summary>
    public Task<ConsumerGroupHeartbeatResponse> JoinAsync(List<string>? topics, string? regex = null, string? assignor = null) =>
        SendAsync(new ConsumerGroupHeartbeatRequest
        {
            GroupId = _group,
            MemberId = MemberId,
            MemberEpoch = 0,
            InstanceId = _instanceId,
            RebalanceTimeoutMs = 10_000,
            SubscribedTopicNames = topics ?? [],
            SubscribedTopicRegex = regex,
            ServerAssignor = assignor,
            TopicPartitions = [],
        });

    /// <summary>A regular heartbeat at the current epoch, reporting the assigned partitions as owned.</summary>
    public Task<ConsumerGroupHeartbeatResponse> HeartbeatAsync() =>
        SendAsync(new ConsumerGroupHeartbeatRequest
        {
            GroupId = _group,
            MemberId = MemberId,
            MemberEpoch = MemberEpoch,
            InstanceId = _instanceId,
            TopicPartitions = Owned(),
        });

    /// <summary>Sends <paramref name="request"/> as is (epochs and ids as the test wants them) and tracks a successful answer.</summary>
    public async Task<ConsumerGroupHeartbeatResponse> SendAsync(ConsumerGroupHeartbeatRequest request)
    {
        var response = await _client.SendAsync<ConsumerGroupHeartbeatResponse>(request, 1, cancellationToken: TestContext.Current.CancellationToken);
        if (response.ErrorCode == 0)
        {
            MemberEpoch = response.MemberEpoch;
            if (response.Assignment is { } assignment)
            {
                Assigned = assignment.TopicPartitions.SelectMany(t => t.Partitions.Select(p => (t.TopicId, p))).ToList();
            }
        }

        return response;
    }

    public List<ConsumerGroupHeartbeatRequest.TopicPartitionsStruct> Owned() =>
        Assigned.GroupBy(p => p.TopicId)
            .Select(g => new ConsumerGroupHeartbeatRequest.TopicPartitionsStruct { TopicId = g.Key, Partitions = g.Select(p => p.Partition).ToList() })
            .ToList();

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
