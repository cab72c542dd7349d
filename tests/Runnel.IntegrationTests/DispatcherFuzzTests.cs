using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>
/// Mutation fuzzing of the request path: valid requests of the read and produce APIs at every
/// served version, with random bytes flipped, cut or inserted, go through the broker's dispatcher,
/// one request context serving one after another until a request closes it, as on a connection.
/// Whatever the bytes, the dispatcher must answer or ask to close the connection; no exception may
/// escape (one would end the connection with an error log instead of a clean close). Admin APIs that
/// create or delete topics are left out so the fuzzer cannot fill the disk with partitions.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class DispatcherFuzzTests(BrokerFixture fixture)
{
    private static readonly ApiKey[] FuzzedApis =
    [
        ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets,
        ApiKey.OffsetForLeaderEpoch, ApiKey.FindCoordinator, ApiKey.DescribeConfigs, ApiKey.DescribeCluster,
        ApiKey.DescribeLogDirs, ApiKey.DescribeTopicPartitions,
    ];

    [Fact]
    public async Task Mutated_requests_never_escape_the_dispatcher_as_exceptions()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 2);
        var dispatcher = new RequestDispatcher(fixture.Broker.Host.Handlers, NullLoggerFactory.Instance);
        var listener = fixture.Broker.Host.Listeners[0];
        var random = new Random(20261130);
        var seeds = BuildSeeds(topic);
        var outcomes = new Dictionary<string, int>();
        RequestContext? context = null;
        for (var i = 0; i < 20_000; i++)
        {
            var (key, version, frame) = seeds[random.Next(seeds.Count)];
            var mutated = Mutate(frame, random);

            // One context serves request after request, as a connection does (Fetch and Produce are
            // decoded into the connection's recycled objects), until a request closes it.
            context ??= new RequestContext(i, listener, new IPEndPoint(IPAddress.Loopback, 1)) { ConnectionClosed = TestContext.Current.CancellationToken };
            DispatchResult result;
            try
            {
                result = await dispatcher.DispatchAsync(context, mutated.AsMemory(4));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Assert.Fail($"{key} v{version} mutation {Convert.ToHexString(mutated)} threw {ex}");
                return;
            }
            finally
            {
                context.ReleaseResources();
            }

            if (result.CloseReason is not null)
            {
                context = null;
            }

            var outcome = result.CloseReason is not null ? "close" : result.Response is null ? "no-response" : "response";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The fuzzer must exercise both paths, or it is not reaching the handlers.
        Assert.True(outcomes.GetValueOrDefault("close") > 100, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("response") > 100, string.Join(", ", outcomes));

        // And the broker still serves everyone afterwards.
        await using var client = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, TestContext.Current.CancellationToken);
        var versions = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, versions.ErrorCode);
    }

    private List<(ApiKey Key, short Version, byte[] Frame)> BuildSeeds(string topic)
    {
        var seeds = new List<(ApiKey, short, byte[])>();
        var batch = RecordBatchBuilderForTests.SingleRecord("fuzz"u8.ToArray());
        foreach (var key in FuzzedApis)
        {
            var handler = fixture.Broker.Host.Handlers.Find((short)key)!;
            for (var v = handler.MinVersion; v <= handler.MaxVersion; v++)
            {
                seeds.Add((key, v, WireClient.EncodeRequest(Seed(key, topic, batch), v, correlationId: v)));
            }
        }

        return seeds;
    }

    private static IApiMessage Seed(ApiKey key, string topic, byte[] batch) => key switch
    {
        ApiKey.Metadata => new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] },
        ApiKey.Produce => new ProduceRequest
        {
            Acks = 1,
            TimeoutMs = 1000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        },
        ApiKey.Fetch => new FetchRequest
        {
            MaxWaitMs = 0,
            MaxBytes = 1 << 20,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }] }],
        },
        ApiKey.ListOffsets => new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 }] }],
        },
        ApiKey.OffsetForLeaderEpoch => new OffsetForLeaderEpochRequest
        {
            Topics = [new OffsetForLeaderEpochRequest.OffsetForLeaderTopic { Topic = topic, Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = 0, LeaderEpoch = 0 }] }],
        },
        ApiKey.FindCoordinator => new FindCoordinatorRequest { Key = "g", CoordinatorKeys = ["g"] },
        ApiKey.DescribeConfigs => new DescribeConfigsRequest { Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 2, ResourceName = topic }] },
        ApiKey.DescribeLogDirs => new DescribeLogDirsRequest(),
        ApiKey.DescribeTopicPartitions => new DescribeTopicPartitionsRequest { Topics = [new DescribeTopicPartitionsRequest.TopicRequest { Name = topic }] },
        _ => ApiRegistry.CreateRequest(key)!,
    };

    /// <summary>Flips, overwrites, cuts or inserts bytes after the 4-byte size, then fixes the size up.</summary>
    private static byte[] Mutate(byte[] frame, Random random)
    {
        var body = frame.AsSpan(4).ToArray().ToList();
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && body.Count > 0; m++)
        {
            var at = random.Next(body.Count);
            switch (random.Next(5))
            {
                case 0:
                    body[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    body[at] = (byte)random.Next(256);
                    break;
                case 2:
                    body[at] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x7F;
                    break;
                case 3:
                    body.RemoveRange(at, body.Count - at);
                    break;
                default:
                    body.Insert(at, (byte)random.Next(256));
                    break;
            }
        }

        var result = new byte[body.Count + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(result, body.Count);
        body.CopyTo(result, 4);
        return result;
    }
}
