using Runnel.Protocol.Primitives;

namespace Runnel.Protocol.Tests.Messages;

/// <summary>
/// Every generated request and response, at every version it defines: GetSize matches what Write
/// produces, Read consumes exactly what Write produced, and writing the decoded message again
/// yields the same bytes.
/// </summary>
public class MessageRoundTripTests
{
    public static TheoryData<ApiKey, short, bool> AllVersions()
    {
        var data = new TheoryData<ApiKey, short, bool>();
        foreach (var api in ApiRegistry.All)
        {
            for (var v = api.LowestVersion; v <= api.HighestVersion; v++)
            {
                data.Add(api.Key, v, true);
                data.Add(api.Key, v, false);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Populated_message_round_trips_byte_for_byte(ApiKey key, short version, bool request)
    {
        var random = new Random(((int)key * 1000) + version);
        var message = Create(key, request);
        MessagePopulator.Populate(message, random);

        var first = Encode(message, version);
        var decoded = Create(key, request);
        var reader = new ProtocolReader(first);
        decoded.Read(ref reader, version);
        Assert.True(reader.End, $"{key} v{version}: {reader.Remaining} bytes left unread");

        var second = Encode(decoded, version);
        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Default_message_round_trips(ApiKey key, short version, bool request)
    {
        var message = Create(key, request);
        var bytes = Encode(message, version);
        var decoded = Create(key, request);
        var reader = new ProtocolReader(bytes);
        decoded.Read(ref reader, version);
        Assert.True(reader.End);
        Assert.Equal(bytes, Encode(decoded, version));
    }

    [Fact]
    public void Every_definition_has_a_request_and_a_response()
    {
        Assert.NotEmpty(ApiRegistry.All);
        foreach (var api in ApiRegistry.All)
        {
            Assert.Equal(api.Key, ApiRegistry.CreateRequest(api.Key)!.ApiKey);
            Assert.Equal(api.Key, ApiRegistry.CreateResponse(api.Key)!.ApiKey);
        }
    }

    private static IApiMessage Create(ApiKey key, bool request) =>
        (request ? ApiRegistry.CreateRequest(key) : ApiRegistry.CreateResponse(key))!;

    private static byte[] Encode(IApiMessage message, short version)
    {
        var size = message.GetSize(version);
        var bytes = new byte[size];
        var writer = new ProtocolWriter(bytes);
        message.Write(ref writer, version);
        Assert.Equal(size, writer.Position);
        return bytes;
    }
}
