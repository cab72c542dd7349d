using BenchmarkDotNet.Attributes;
using Runnel.Protocol;
using Runnel.Protocol.Framing;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Benchmarks.Protocol;

/// <summary>Request decode and response encode for the two hottest APIs (16 partitions each).</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const short ProduceVersion = 9;
    private const short FetchVersion = 12;
    private byte[] _produceFrame = [];
    private FetchResponse _fetchResponse = new();
    private byte[] _output = [];

    [GlobalSetup]
    public void Setup()
    {
        var batch = BatchFactory.Create(16, 1024);
        var request = new ProduceRequest { Acks = 1, TimeoutMs = 30_000 };
        var topic = new ProduceRequest.TopicProduceData { Name = "bench" };
        for (var p = 0; p < 16; p++)
        {
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = p, Records = batch });
        }

        request.TopicData.Add(topic);
        var header = new RequestHeader { ApiKey = (short)ApiKey.Produce, ApiVersion = ProduceVersion, CorrelationId = 1, ClientId = "bench" };
        _produceFrame = new byte[header.GetSize() + request.GetSize(ProduceVersion)];
        var writer = new ProtocolWriter(_produceFrame);
        header.Write(ref writer);
        request.Write(ref writer, ProduceVersion);

        var fetchTopic = new FetchResponse.FetchableTopicResponse { Topic = "bench" };
        for (var p = 0; p < 16; p++)
        {
            fetchTopic.Partitions.Add(new FetchResponse.PartitionData { PartitionIndex = p, HighWatermark = 1000, LastStableOffset = 1000, LogStartOffset = 0, Records = batch });
        }

        _fetchResponse.Responses.Add(fetchTopic);
        _output = new byte[_fetchResponse.GetSize(FetchVersion)];
    }

    [Benchmark]
    public int DecodeProduceRequest()
    {
        var reader = new ProtocolReader(_produceFrame);
        var header = new RequestHeader();
        header.Read(ref reader);
        var request = new ProduceRequest();
        request.Read(ref reader, header.ApiVersion);
        return request.TopicData[0].PartitionData.Count;
    }

    [Benchmark]
    public int EncodeFetchResponse()
    {
        var size = _fetchResponse.GetSize(FetchVersion);
        var writer = new ProtocolWriter(_output.AsSpan(0, size));
        _fetchResponse.Write(ref writer, FetchVersion);
        return writer.Position;
    }
}
