using System.Buffers.Binary;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>Requests sent byte by byte with the test wire client: handshakes, limits and hostile input.</summary>
[Collection(BrokerCollection.Name)]
public sealed class WireProtocolTests(BrokerFixture fixture)
{
    private Task<WireClient> ConnectAsync() =>
        WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ApiVersions_answers_every_known_version_with_the_registered_ranges(short version)
    {
        await using var client = await ConnectAsync();
        var response = await client.SendAsync<ApiVersionsResponse>(
            new ApiVersionsRequest { ClientSoftwareName = "runnel-tests", ClientSoftwareVersion = "1.0" },
            version,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, response.ErrorCode);
        var produce = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)ApiKey.Produce);
        Assert.Equal(0, produce.MinVersion); // advertised from 0 for librdkafka < 2.11.1
        Assert.Equal(12, produce.MaxVersion);
        var fetch = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)ApiKey.Fetch);
        Assert.Equal(4, fetch.MinVersion);
        Assert.Equal(17, fetch.MaxVersion);
        Assert.Equal(fixture.Broker.Host.Handlers.All.Count, response.ApiKeys.Count);
    }

    [Fact]
    public async Task ApiVersions_at_an_unknown_version_gets_UnsupportedVersion_in_a_v0_body()
    {
        await using var client = await ConnectAsync();
        // v99 does not exist; the broker must answer in the v0 layout (KIP-511).
        var response = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 99, responseVersion: 0, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        Assert.Contains(response.ApiKeys, k => k.ApiKey == (short)ApiKey.ApiVersions && k.MaxVersion == 4);
    }

    [Fact]
    public async Task ApiVersions_with_an_invalid_client_software_name_gets_InvalidRequest()
    {
        await using var client = await ConnectAsync();
        var response = await client.SendAsync<ApiVersionsResponse>(
            new ApiVersionsRequest { ClientSoftwareName = "bad name!", ClientSoftwareVersion = "1" },
            3,
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((short)ErrorCode.InvalidRequest, response.ErrorCode);
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using var client = await ConnectAsync();
        var frames = new List<byte>();
        for (var i = 1; i <= 5; i++)
        {
            frames.AddRange(WireClient.EncodeRequest(new MetadataRequest(), 0, correlationId: i));
            frames.AddRange(WireClient.EncodeRequest(new ApiVersionsRequest(), 0, correlationId: 100 + i));
        }

        await client.SendRawAsync(frames.ToArray(), TestContext.Current.CancellationToken);
        var expected = new[] { 1, 101, 2, 102, 3, 103, 4, 104, 5, 105 };
        foreach (var id in expected)
        {
            var frame = await client.ReadFrameAsync(TestContext.Current.CancellationToken);
            Assert.NotNull(frame);
            Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(frame));
        }
    }

    public static TheoryData<string, byte[]> HostileFrames()
    {
        var data = new TheoryData<string, byte[]>
        {
            { "negative size", [0xFF, 0xFF, 0xFF, 0xF0, 0, 18, 0, 0] },
            { "size above socket.request.max.bytes", [0x7F, 0xFF, 0xFF, 0xFF, 0, 18, 0, 0] },
            { "size too small for a header", [0, 0, 0, 3, 0, 18, 0] },
            { "unknown api key", Frame([0x7F, 0x00, 0, 0, 0, 0, 0, 1, 0, 0]) },
            { "produce v2 (removed in Kafka 4.0)", WireClient.EncodeRequest(new ProduceRequest { Acks = 1 }, 2, 1) },
            { "fetch v3 (removed in Kafka 4.0)", WireClient.EncodeRequest(new FetchRequest(), 3, 1) },
            { "metadata v99", Frame([0, 3, 0, 99, 0, 0, 0, 1, 0, 0]) },
            { "truncated header", Frame([0, 3, 0, 1, 0, 0, 0, 1, 0]) },
            { "client id longer than the frame", Frame([0, 3, 0, 1, 0, 0, 0, 1, 0x7F, 0xFF, 65]) },
            { "array count larger than the frame", Frame([0, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF]) },
            { "garbage", Frame([0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF]) },
        };
        return data;
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[payload.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }

    [Theory]
    [MemberData(nameof(HostileFrames))]
    public async Task Hostile_input_closes_only_that_connection(string description, byte[] frame)
    {
        await using var bystander = await ConnectAsync();
        await using var attacker = await ConnectAsync();
        var badBefore = fixture.Broker.Host.NetworkMetrics.BadRequestCount;

        await attacker.SendRawAsync(frame, TestContext.Current.CancellationToken);
        Assert.True(await attacker.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)), description + ": connection should be closed");
        Assert.True(fixture.Broker.Host.NetworkMetrics.BadRequestCount > badBefore, description + ": should be counted");

        // Everyone else is still served.
        var response = await bystander.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, response.ErrorCode);
    }

    [Fact]
    public async Task A_batch_with_a_bad_crc_is_rejected_as_corrupt_and_nothing_is_stored()
    {
        var topic = await fixture.CreateTopicAsync();
        var batch = RecordBatchBuilderForTests.SingleRecord("hello"u8.ToArray());
        batch[^1] ^= 0x5A; // flip a bit in the record payload, under the CRC
        await using var client = await ConnectAsync();
        var response = await client.SendAsync<ProduceResponse>(Produce(topic, batch), 9, cancellationToken: TestContext.Current.CancellationToken);
        var partition = response.Responses[0].PartitionResponses[0];
        Assert.Equal((short)ErrorCode.CorruptMessage, partition.ErrorCode);

        var list = await client.SendAsync<ListOffsetsResponse>(new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 }] }],
        }, 7, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, list.Topics[0].Partitions[0].Offset);
    }

    [Fact]
    public async Task A_v1_message_format_batch_is_rejected()
    {
        var topic = await fixture.CreateTopicAsync();
        var batch = RecordBatchBuilderForTests.SingleRecord("old"u8.ToArray());
        batch[RecordBatchHeader.MagicOffset] = 1;
        await using var client = await ConnectAsync();
        var response = await client.SendAsync<ProduceResponse>(Produce(topic, batch), 9, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual(0, response.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task Produce_to_an_unknown_topic_gets_UnknownTopicOrPartition()
    {
        await using var client = await ConnectAsync();
        var batch = RecordBatchBuilderForTests.SingleRecord("x"u8.ToArray());
        var response = await client.SendAsync<ProduceResponse>(Produce("no-such-topic-" + Guid.NewGuid().ToString("N"), batch), 9, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Responses[0].PartitionResponses[0].ErrorCode);
    }

    private static ProduceRequest Produce(string topic, byte[] batch) => new()
    {
        Acks = 1,
        TimeoutMs = 5000,
        TopicData =
        [
            new ProduceRequest.TopicProduceData
            {
                Name = topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }],
            },
        ],
    };
}
