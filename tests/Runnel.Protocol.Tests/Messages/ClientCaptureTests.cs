using Runnel.Protocol.Framing;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Protocol.Tests.Messages;

/// <summary>
/// Request bytes captured from real clients (a listener on 127.0.0.1 that recorded what each
/// client sent first) decode to what the client meant, and re-encode to the same bytes.
/// </summary>
public class ClientCaptureTests
{
    // kcat 1.7.1 / librdkafka 2.0.2: ApiVersions v3 with client software name and version.
    private const string LibrdkafkaApiVersions = "000000240012000300000001000772646b61666b61000b6c696272646b61666b6106322e302e3200";

    // kafka-python 2.0.2: ApiVersions v0 and Metadata v0 pipelined (its version probe).
    private const string KafkaPythonProbe = "00000021001200000000000100176b61666b612d707974686f6e2d70726f64756365722d3100000025000300000000000200176b61666b612d707974686f6e2d70726f64756365722d3100000000";

    // KafkaJS 2.2.4: ApiVersions v2 (it never uses flexible versions).
    private const string KafkaJsApiVersions = "00000011001200020000000000076b61666b616a73";

    private static List<(RequestHeader Header, IApiMessage Body, byte[] Frame)> Decode(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        var frames = new List<(RequestHeader, IApiMessage, byte[])>();
        var position = 0;
        while (position < bytes.Length)
        {
            var size = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(position));
            var frame = bytes.AsMemory(position + 4, size);
            var reader = new ProtocolReader(frame);
            var header = new RequestHeader();
            header.Read(ref reader);
            var body = ApiRegistry.CreateRequest((ApiKey)header.ApiKey)!;
            body.Read(ref reader, header.ApiVersion);
            Assert.True(reader.End, "bytes left after the body");
            frames.Add((header, body, bytes[position..(position + 4 + size)]));
            position += 4 + size;
        }

        return frames;
    }

    private static byte[] Encode(RequestHeader header, IApiMessage body)
    {
        var size = header.GetSize() + body.GetSize(header.ApiVersion);
        var frame = new byte[4 + size];
        var writer = new ProtocolWriter(frame);
        writer.WriteInt32(size);
        header.Write(ref writer);
        body.Write(ref writer, header.ApiVersion);
        return frame;
    }

    [Fact]
    public void Librdkafka_ApiVersions_v3_carries_its_software_name_and_version()
    {
        var (header, body, frame) = Assert.Single(Decode(LibrdkafkaApiVersions));
        Assert.Equal(3, header.ApiVersion);
        Assert.Equal("rdkafka", header.ClientId);
        var request = Assert.IsType<ApiVersionsRequest>(body);
        Assert.Equal("librdkafka", request.ClientSoftwareName);
        Assert.Equal("2.0.2", request.ClientSoftwareVersion);
        Assert.Equal(frame, Encode(header, body));
    }

    [Fact]
    public void Kafka_python_probe_is_ApiVersions_v0_then_Metadata_v0_for_all_topics()
    {
        var frames = Decode(KafkaPythonProbe);
        Assert.Equal(2, frames.Count);
        Assert.Equal((short)ApiKey.ApiVersions, frames[0].Header.ApiKey);
        Assert.Equal(0, frames[0].Header.ApiVersion);
        Assert.Equal((short)ApiKey.Metadata, frames[1].Header.ApiKey);
        Assert.Equal(0, frames[1].Header.ApiVersion);
        Assert.Empty(Assert.IsType<MetadataRequest>(frames[1].Body).Topics!);
        foreach (var (header, body, frame) in frames)
        {
            Assert.Equal(frame, Encode(header, body));
        }
    }

    [Fact]
    public void KafkaJs_ApiVersions_v2_round_trips()
    {
        var (header, body, frame) = Assert.Single(Decode(KafkaJsApiVersions));
        Assert.Equal(2, header.ApiVersion);
        Assert.Equal("kafkajs", header.ClientId);
        Assert.Equal(frame, Encode(header, body));
    }
}
