using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Groups;

/// <summary>
/// A group member spoken on the wire: it joins (JoinGroup v3, protocol "range" with a consumer
/// subscription), syncs, and then never heartbeats, as a frozen or killed process would.
/// </summary>
internal sealed class SilentMember : IAsyncDisposable
{
    private readonly WireClient _client;
    private readonly string _group;

    private SilentMember(WireClient client, string group, string memberId, int generationId, int assignedPartitionCount)
    {
        _client = client;
        _group = group;
        MemberId = memberId;
        GenerationId = generationId;
        AssignedPartitionCount = assignedPartitionCount;
    }

    public string MemberId { get; }

    public int GenerationId { get; }

    public int AssignedPartitionCount { get; }

    /// <summary>Joins while polling <paramref name="peer"/> so that it rejoins and, as leader, assigns.</summary>
    public static async Task<SilentMember> JoinAsync(int port, string group, string topic, int sessionTimeoutMs, IConsumer<byte[]?, byte[]?> peer)
    {
        await ClassicGroupTests.WaitForAssignmentsAsync([peer], total: 4);
        var client = await WireClient.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        var join = client.SendAsync<JoinGroupResponse>(
            new JoinGroupRequest
            {
                GroupId = group,
                SessionTimeoutMs = sessionTimeoutMs,
                RebalanceTimeoutMs = 10_000,
                MemberId = "",
                ProtocolType = "consumer",
                Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = Subscription(topic) }],
            },
            3);
        await PollUntilAsync(peer, join);
        var joined = await join;
        Assert.Equal(0, joined.ErrorCode);
        Assert.Equal("range", joined.ProtocolName);

        var sync = client.SendAsync<SyncGroupResponse>(
            new SyncGroupRequest { GroupId = group, GenerationId = joined.GenerationId, MemberId = joined.MemberId },
            1);
        await PollUntilAsync(peer, sync);
        var synced = await sync;
        Assert.Equal(0, synced.ErrorCode);
        return new SilentMember(client, group, joined.MemberId, joined.GenerationId, CountPartitions(synced.Assignment));
    }

    public async Task<short> HeartbeatAsync()
    {
        var response = await _client.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = _group, GenerationId = GenerationId, MemberId = MemberId }, 1);
        return response.ErrorCode;
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private static async Task PollUntilAsync(IConsumer<byte[]?, byte[]?> peer, Task task)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (!task.IsCompleted)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The group never completed the silent member's request.");
            }

            peer.Consume(TimeSpan.FromMilliseconds(50));
            await Task.Yield();
        }
    }

    /// <summary>ConsumerProtocolSubscription v0: version, topics, null user data.</summary>
    internal static byte[] Subscription(string topic)
    {
        var name = Encoding.UTF8.GetBytes(topic);
        var bytes = new byte[2 + 4 + 2 + name.Length + 4];
        BinaryPrimitives.WriteInt16BigEndian(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(2), 1);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(6), (short)name.Length);
        name.CopyTo(bytes.AsSpan(8));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8 + name.Length), -1);
        return bytes;
    }

    /// <summary>Counts the partitions in a ConsumerProtocolAssignment (version, [topic, [partition]], user data).</summary>
    private static int CountPartitions(byte[] assignment)
    {
        if (assignment.Length == 0)
        {
            return 0;
        }

        var span = assignment.AsSpan(2);
        var topics = BinaryPrimitives.ReadInt32BigEndian(span);
        span = span[4..];
        var count = 0;
        for (var i = 0; i < topics; i++)
        {
            var nameLength = BinaryPrimitives.ReadInt16BigEndian(span);
            span = span[(2 + nameLength)..];
            var partitions = BinaryPrimitives.ReadInt32BigEndian(span);
            count += partitions;
            span = span[(4 + (4 * partitions))..];
        }

        return count;
    }
}
