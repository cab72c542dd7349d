using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>
/// A connection's Produce and Fetch requests are decoded into the same objects and answered by
/// responses rebuilt in place. Requests of changing shapes and versions on one connection must
/// each get an answer of their own: no partition, error or record left over from the one before.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class RecycledMessagesTests(BrokerFixture fixture)
{
    [Fact]
    public async Task Produces_of_changing_shapes_on_one_connection_get_answers_of_their_own()
    {
        var wide = await fixture.CreateTopicAsync(partitions: 3, prefix: "recycle-produce");
        var narrow = await fixture.CreateTopicAsync(partitions: 1, prefix: "recycle-produce");
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);

        // Two topics, three partitions of one (one of them unknown), then one partition at an older version.
        var first = await client.SendAsync<ProduceResponse>(
            Produce(1, (wide, [0, 1, 7]), (narrow, [0])), 9, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([wide, narrow], first.Responses.Select(t => t.Name));
        Assert.Equal([0, 1, 7], first.Responses[0].PartitionResponses.Select(p => p.Index));
        Assert.Equal(
            [ErrorCode.None, ErrorCode.None, ErrorCode.UnknownTopicOrPartition],
            first.Responses[0].PartitionResponses.Select(p => (ErrorCode)p.ErrorCode));
        Assert.Equal(0, first.Responses[1].PartitionResponses[0].BaseOffset);

        var second = await client.SendAsync<ProduceResponse>(Produce(1, (narrow, [0])), 3, cancellationToken: TestContext.Current.CancellationToken);
        var only = Assert.Single(Assert.Single(second.Responses).PartitionResponses);
        Assert.Equal(narrow, second.Responses[0].Name);
        Assert.Equal((short)ErrorCode.None, only.ErrorCode);
        Assert.Equal(1, only.BaseOffset);

        // Invalid acks answers every partition with an error, and the next request is clean again.
        var refused = await client.SendAsync<ProduceResponse>(Produce(5, (wide, [2])), 9, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, refused.Responses[0].PartitionResponses[0].ErrorCode);
        var third = await client.SendAsync<ProduceResponse>(Produce(1, (wide, [2])), 9, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((short)ErrorCode.None, third.Responses[0].PartitionResponses[0].ErrorCode);
        Assert.Equal(0, third.Responses[0].PartitionResponses[0].BaseOffset);
    }

    [Fact]
    public async Task Fetches_of_changing_shapes_on_one_connection_get_answers_of_their_own()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 3, prefix: "recycle-fetch");
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);
        var produced = await client.SendAsync<ProduceResponse>(Produce(1, (topic, [0, 1])), 9, cancellationToken: TestContext.Current.CancellationToken);
        Assert.All(produced.Responses[0].PartitionResponses, p => Assert.Equal((short)ErrorCode.None, p.ErrorCode));

        var all = await client.SendAsync<FetchResponse>(Fetch(topic, 0, 1, 2, 9), 12, cancellationToken: TestContext.Current.CancellationToken);
        var partitions = Assert.Single(all.Responses).Partitions;
        Assert.Equal([0, 1, 2, 9], partitions.Select(p => p.PartitionIndex));
        Assert.False(partitions[0].Records!.Value.IsEmpty);
        Assert.False(partitions[1].Records!.Value.IsEmpty);
        Assert.True(partitions[2].Records!.Value.IsEmpty);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, partitions[3].ErrorCode);

        // Only the empty partition, then only a partition with data at an older version.
        var empty = await client.SendAsync<FetchResponse>(Fetch(topic, 2), 12, cancellationToken: TestContext.Current.CancellationToken);
        var emptyPartition = Assert.Single(Assert.Single(empty.Responses).Partitions);
        Assert.Equal(2, emptyPartition.PartitionIndex);
        Assert.Equal((short)ErrorCode.None, emptyPartition.ErrorCode);
        Assert.Equal(0, emptyPartition.HighWatermark);
        Assert.True(emptyPartition.Records!.Value.IsEmpty);

        var withData = await client.SendAsync<FetchResponse>(Fetch(topic, 1), 4, cancellationToken: TestContext.Current.CancellationToken);
        var dataPartition = Assert.Single(Assert.Single(withData.Responses).Partitions);
        Assert.Equal(1, dataPartition.PartitionIndex);
        Assert.Equal(1, dataPartition.HighWatermark);
        Assert.Equal(partitions[1].Records!.Value.ToArray(), dataPartition.Records!.Value.ToArray());
    }

    [Fact]
    public async Task A_served_connection_keeps_no_view_of_its_request_frame_or_read_buffers()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 1, prefix: "recycle-release");
        var dispatcher = new RequestDispatcher(fixture.Broker.Host.Handlers, NullLoggerFactory.Instance);
        var context = new RequestContext(1, fixture.Broker.Host.Listeners[0], new IPEndPoint(IPAddress.Loopback, 1))
        {
            ConnectionClosed = TestContext.Current.CancellationToken,
        };

        // As the connection does: dispatch, then (the response written) release the request's resources.
        var produced = await dispatcher.DispatchAsync(context, WireClient.EncodeRequest(Produce(1, (topic, [0])), 9, correlationId: 1).AsMemory(4));
        Assert.Equal((short)ErrorCode.None, ((ProduceResponse)produced.Response!).Responses[0].PartitionResponses[0].ErrorCode);
        context.ReleaseResources();
        Assert.Null(context.ConnectionState<ProduceRequest>().TopicData[0].PartitionData[0].Records);

        var fetched = await dispatcher.DispatchAsync(context, WireClient.EncodeRequest(Fetch(topic, 0), 12, correlationId: 2).AsMemory(4));
        var partition = ((FetchResponse)fetched.Response!).Responses[0].Partitions[0];
        Assert.False(partition.Records!.Value.IsEmpty);
        context.ReleaseResources();
        Assert.Null(partition.Records);
    }

    private static ProduceRequest Produce(short acks, params (string Topic, int[] Partitions)[] topics) => WireRequests.Produce(acks, topics);

    private static FetchRequest Fetch(string topic, params int[] partitions) => WireRequests.Fetch(topic, partitions.Select(p => (p, 0L)).ToArray());
}
