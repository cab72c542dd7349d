using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>
/// Data that turns out corrupt when a fetch reads it (a segment damaged on disk under a running
/// broker): that partition is answered CORRUPT_MESSAGE, as Kafka does, and the rest of the fetch and
/// the connection are served as usual.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class CorruptDataFetchTests(BrokerFixture fixture)
{
    [Fact]
    public async Task A_partition_with_corrupt_data_is_answered_corrupt_message_and_the_rest_of_the_fetch_is_served()
    {
        var cancel = TestContext.Current.CancellationToken;
        var topic = await fixture.CreateTopicAsync(partitions: 2, prefix: "corrupt-fetch");
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, cancel);
        var produced = await client.SendAsync<ProduceResponse>(WireRequests.Produce(1, (topic, [0, 1])), 9, cancellationToken: cancel);
        Assert.All(produced.Responses[0].PartitionResponses, p => Assert.Equal((short)ErrorCode.None, p.ErrorCode));

        // The first batch of partition 1 loses its magic byte (2), in the page cache the broker reads.
        var segment = Path.Combine(fixture.Broker.DataDirectory, topic + "-1", "00000000000000000000.log");
        await using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Position = RecordBatchHeader.MagicOffset;
            file.WriteByte(7);
        }

        var fetched = await client.SendAsync<FetchResponse>(WireRequests.Fetch(topic, [(0, 0L), (1, 0L)]), 12, cancellationToken: cancel);
        var partitions = Assert.Single(fetched.Responses).Partitions;
        Assert.Equal((short)ErrorCode.None, partitions[0].ErrorCode);
        Assert.False(partitions[0].Records!.Value.IsEmpty);
        Assert.Equal((short)ErrorCode.CorruptMessage, partitions[1].ErrorCode);
        Assert.True(partitions[1].Records is null || partitions[1].Records!.Value.IsEmpty);

        // Same connection: still served, and the next answer is its own.
        var again = await client.SendAsync<FetchResponse>(WireRequests.Fetch(topic, [(0, 0L)]), 12, cancellationToken: cancel);
        var only = Assert.Single(Assert.Single(again.Responses).Partitions);
        Assert.Equal(0, only.PartitionIndex);
        Assert.Equal((short)ErrorCode.None, only.ErrorCode);
        Assert.Equal(partitions[0].Records!.Value.ToArray(), only.Records!.Value.ToArray());
    }
}
