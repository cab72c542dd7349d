using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Runnel.Compat.ClientWrappers;
using Runnel.Compat.Infrastructure;

namespace Runnel.Compat;

[CollectionDefinition(Name)]
public sealed class KcatBroker : ICollectionFixture<BrokerProcess>
{
    public const string Name = "kcat";
}

/// <summary>kcat (Debian, librdkafka 2.0.2) against a broker process, cross-checked with Confluent.Kafka.</summary>
[Collection(KcatBroker.Name)]
public sealed class KcatTests(BrokerProcess broker) : CompatTest(broker)
{
    private const int Count = 20;

    private readonly KcatClient _kcat = new(broker.BootstrapServers);

    [Fact]
    public async Task Metadata_lists_the_topic_with_every_partition_led_by_the_broker()
    {
        var topic = await DotNet.CreateTopicAsync("kcat", partitions: 3);
        var brokerId = DotNet.GetMetadata(topic).Brokers.Single().BrokerId;

        var result = await _kcat.MetadataAsync(topic);

        AssertSucceeded(result, "kcat -L");
        var metadata = result.JsonLines.SingleOrDefault();
        Assert.True(metadata.ValueKind == JsonValueKind.Object, $"kcat -L -J printed no JSON.\n{Context(result)}");
        var brokers = metadata.GetProperty("brokers").EnumerateArray()
            .Select(b => $"{b.GetProperty("id").GetInt32()} {b.GetProperty("name").GetString()}");
        AssertSequence([$"{brokerId} {Broker.BootstrapServers}"], brokers, "brokers (id and advertised address)", () => Context(result));
        var topics = metadata.GetProperty("topics").EnumerateArray().ToList();
        AssertSequence([topic], topics.Select(t => t.GetProperty("topic").GetString()), "topics", () => Context(result));
        if (topics[0].TryGetProperty("error", out var topicError))
        {
            Assert.Fail($"kcat reports topic error {topicError}.\n{Context(result)}");
        }

        var partitions = topics[0].GetProperty("partitions").EnumerateArray().Select(p =>
            $"partition {p.GetProperty("partition").GetInt32()} leader {p.GetProperty("leader").GetInt32()} " +
            $"replicas [{Ids(p.GetProperty("replicas"))}] isrs [{Ids(p.GetProperty("isrs"))}]" +
            (p.TryGetProperty("error", out var error) ? " error " + error : ""));
        AssertSequence(
            Enumerable.Range(0, 3).Select(p => $"partition {p} leader {brokerId} replicas [{brokerId}] isrs [{brokerId}]"),
            partitions.OrderBy(p => p, StringComparer.Ordinal),
            "partitions",
            () => Context(result));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Keyed_records_with_headers_produced_with_each_codec_are_read_back_exactly(string codec)
    {
        var topic = await DotNet.CreateTopicAsync("kcat");
        var lines = Enumerable.Range(0, Count).Select(i => TestRecords.Key(i) + ":" + TestRecords.Value(i));

        var result = await _kcat.ProduceAsync(topic, 0, lines, codec, [("client", "kcat"), ("codec", codec)]);

        AssertSucceeded(result, "kcat -P");
        var read = DotNet.ConsumeFromBeginning(topic, 0, Count, () => Context(result)).Select(r => ObservedRecord.From(r));
        var expected = Enumerable.Range(0, Count).Select(i => new ObservedRecord(0, i, TestRecords.Key(i), TestRecords.Value(i), $"client=kcat,codec={codec}"));
        AssertSequence(expected, read, "records Confluent.Kafka read", () => Context(result));
        await AssertStoredCodecAsync(topic, 0, Count, codec, result);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Records_produced_by_ConfluentKafka_are_printed_exactly_with_offsets_and_timestamps(CompressionType compression)
    {
        var topic = await DotNet.CreateTopicAsync("kcat");
        var firstTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await DotNet.ProduceAsync(topic, 0, ObservedRecord.Messages(Count, "dotnet", firstTimestamp), compression);

        var result = await _kcat.ConsumeAsync(topic, 0);

        AssertSucceeded(result, "kcat -C");
        AssertSequence(ObservedRecord.Expected(0, Count, "dotnet", firstTimestamp), ParseConsumed(result), "records kcat printed", () => Context(result));
        // The batches kcat decoded really carry the codec (not a silent uncompressed fallback).
        await AssertStoredCodecAsync(topic, 0, Count, compression.ToString().ToLowerInvariant(), result);
    }

    [Fact]
    public async Task Null_keys_and_values_produced_by_ConfluentKafka_are_printed_as_null_not_empty()
    {
        var topic = await DotNet.CreateTopicAsync("kcat");
        await DotNet.ProduceAsync(topic, 0,
        [
            new Message<byte[]?, byte[]?> { Key = null, Value = "v"u8.ToArray() },
            new Message<byte[]?, byte[]?> { Key = "k"u8.ToArray(), Value = null },
            new Message<byte[]?, byte[]?> { Key = [], Value = [] },
        ]);

        var result = await _kcat.ConsumeAsync(topic, 0);

        AssertSucceeded(result, "kcat -C");
        var lengths = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var f = line.Split('|');
            return f.Length == 8 ? $"offset {f[1]} key length {f[3]} value length {f[5]}" : "unparsed: " + line;
        });
        AssertSequence(
            ["offset 0 key length -1 value length 1", "offset 1 key length 1 value length -1", "offset 2 key length 0 value length 0"],
            lengths,
            "key and value lengths kcat printed (-1 = null)",
            () => Context(result));
    }

    private static string Ids(JsonElement array) => string.Join(',', array.EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));

    /// <summary>Parses <see cref="KcatClient.ConsumeFormat"/> lines: partition|offset|timestamp|keylen|key|valuelen|value|headers.</summary>
    private static IEnumerable<ObservedRecord> ParseConsumed(ProcessResult result) =>
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var f = line.Split('|');
            if (f.Length != 8)
            {
                return new ObservedRecord(-1, -1, null, "unparsed line: " + line, "");
            }

            return new ObservedRecord(
                int.Parse(f[0], CultureInfo.InvariantCulture),
                long.Parse(f[1], CultureInfo.InvariantCulture),
                f[3] == "-1" ? null : f[4],
                f[5] == "-1" ? null : f[6],
                f[7],
                long.Parse(f[2], CultureInfo.InvariantCulture));
        });
}
