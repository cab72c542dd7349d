using System.Collections;
using System.Reflection;
using Runnel.Protocol.Primitives;

namespace Runnel.Protocol.Tests.Messages;

/// <summary>
/// Generated messages can be recycled: <c>Read</c> into an instance that held another message (at
/// any other version, with more or fewer list elements) leaves exactly what a new instance would
/// hold after the same read, and <c>Reset</c> leaves exactly a new instance's state. The broker
/// relies on both to decode a connection's Fetch and Produce requests into the same objects and to
/// rebuild its responses in place.
/// </summary>
public class MessageReuseTests
{
    public static TheoryData<ApiKey, short, bool> AllVersions() => MessageRoundTripTests.AllVersions();

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Reading_into_a_used_message_leaves_what_a_fresh_read_leaves(ApiKey key, short version, bool request)
    {
        var api = ApiRegistry.All.Single(a => a.Key == key);
        foreach (var earlierVersion in new[] { api.LowestVersion, api.HighestVersion })
        {
            var recycled = Create(key, request);
            Decode(recycled, Populated(key, request, seed: 1), earlierVersion);

            foreach (var next in new[] { Populated(key, request, seed: 2), Create(key, request) })
            {
                var fresh = Create(key, request);
                Decode(fresh, next, version);
                Decode(recycled, next, version);

                AssertSameState(fresh, recycled, $"{key} v{earlierVersion} then v{version}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Reset_leaves_a_new_instances_state(ApiKey key, short version, bool request)
    {
        _ = version;
        var message = Populated(key, request, seed: 3);

        message.Reset();

        AssertSameState(Create(key, request), message, $"{key} reset");
    }

    [Fact]
    public void Reading_into_a_used_message_reuses_its_nested_objects()
    {
        var first = new Runnel.Protocol.Messages.FetchRequest { Topics = [new() { Topic = "a", Partitions = [new() { Partition = 1 }, new() { Partition = 2 }] }] };
        var recycled = new Runnel.Protocol.Messages.FetchRequest();
        Decode(recycled, first, 12);
        var topic = recycled.Topics[0];
        var partition = topic.Partitions[0];

        Decode(recycled, new Runnel.Protocol.Messages.FetchRequest { Topics = [new() { Topic = "b", Partitions = [new() { Partition = 7 }] }] }, 12);

        Assert.Same(topic, recycled.Topics[0]);
        Assert.Same(partition, recycled.Topics[0].Partitions[0]);
        Assert.Equal(7, Assert.Single(recycled.Topics[0].Partitions).Partition);
        Assert.Equal("b", recycled.Topics[0].Topic);
    }

    [Fact]
    public void A_recycled_message_keeps_a_string_the_bytes_spell_again()
    {
        var recycled = new Runnel.Protocol.Messages.ProduceRequest();
        Decode(recycled, new Runnel.Protocol.Messages.ProduceRequest { TopicData = [new() { Name = "orders" }] }, 9);
        var name = recycled.TopicData[0].Name;

        Decode(recycled, new Runnel.Protocol.Messages.ProduceRequest { TopicData = [new() { Name = "orders" }] }, 9);
        Assert.Same(name, recycled.TopicData[0].Name);

        Decode(recycled, new Runnel.Protocol.Messages.ProduceRequest { TopicData = [new() { Name = "orderz" }] }, 9);
        Assert.Equal("orderz", recycled.TopicData[0].Name);
    }

    private static IApiMessage Create(ApiKey key, bool request) =>
        (request ? ApiRegistry.CreateRequest(key) : ApiRegistry.CreateResponse(key))!;

    private static IApiMessage Populated(ApiKey key, bool request, int seed)
    {
        var message = Create(key, request);
        MessagePopulator.Populate(message, new Random(((int)key * 1000) + seed));
        return message;
    }

    /// <summary>Encodes <paramref name="source"/> at <paramref name="version"/> and reads the bytes into <paramref name="target"/>.</summary>
    private static void Decode(IApiMessage target, IApiMessage source, short version)
    {
        var bytes = new byte[source.GetSize(version)];
        var writer = new ProtocolWriter(bytes);
        source.Write(ref writer, version);
        var reader = new ProtocolReader(bytes);
        target.Read(ref reader, version);
        Assert.True(reader.End);
    }

    /// <summary>Every public property of the two object graphs, compared recursively (lists element by element).</summary>
    private static void AssertSameState(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {Describe(expected)} vs {Describe(actual)}");
            return;
        }

        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected)
        {
            case string or Guid or bool or sbyte or short or ushort or int or long or double:
                Assert.True(expected.Equals(actual), $"{path}: {expected} vs {actual}");
                return;
            case byte[] bytes:
                Assert.True(bytes.AsSpan().SequenceEqual((byte[])actual), $"{path}: bytes differ");
                return;
            case ReadOnlyMemory<byte> memory:
                Assert.True(memory.Span.SequenceEqual(((ReadOnlyMemory<byte>)actual).Span), $"{path}: records differ");
                return;
            case RawTaggedField raw:
                var other = (RawTaggedField)actual;
                Assert.True(raw.Tag == other.Tag && raw.Data.AsSpan().SequenceEqual(other.Data), $"{path}: tagged field differs");
                return;
            case IList list:
                var actualList = (IList)actual;
                Assert.True(list.Count == actualList.Count, $"{path}: {list.Count} vs {actualList.Count} elements");
                for (var i = 0; i < list.Count; i++)
                {
                    AssertSameState(list[i], actualList[i], $"{path}[{i}]");
                }

                return;
        }

        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.DeclaringType != typeof(object))
            {
                AssertSameState(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
            }
        }
    }

    private static string Describe(object? value) => value is null ? "null" : value.GetType().Name;
}
