using System.Text;
using Confluent.Kafka;

namespace Runnel.IntegrationTests;

[Collection(BrokerCollection.Name)]
public sealed class ProduceConsumeTests(BrokerFixture fixture)
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Records_round_trip_with_keys_values_headers_and_timestamps()
    {
        var topic = await fixture.CreateTopicAsync();
        using var producer = fixture.CreateProducer();
        var baseTime = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds();
        for (var i = 0; i < 20; i++)
        {
            var headers = new Headers { { "h1", Bytes("v" + i) }, { "h2", null } };
            var result = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?>
            {
                Key = i % 5 == 0 ? null : Bytes("key-" + i),
                Value = i == 7 ? null : Bytes("value-" + i),
                Headers = headers,
                Timestamp = new Timestamp(baseTime + i, TimestampType.CreateTime),
            }, TestContext.Current.CancellationToken);
            Assert.Equal(i, result.Offset.Value);
        }

        using var consumer = fixture.CreateConsumer();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = Clients.ConsumeExactly(consumer, 20);
        for (var i = 0; i < 20; i++)
        {
            var m = records[i].Message;
            Assert.Equal(i, records[i].Offset.Value);
            Assert.Equal(i % 5 == 0 ? null : Bytes("key-" + i), m.Key);
            Assert.Equal(i == 7 ? null : Bytes("value-" + i), m.Value);
            Assert.Equal(baseTime + i, m.Timestamp.UnixTimestampMs);
            Assert.Equal(TimestampType.CreateTime, m.Timestamp.Type);
            Assert.Equal(2, m.Headers.Count);
            Assert.Equal("h1", m.Headers[0].Key);
            Assert.Equal(Bytes("v" + i), m.Headers[0].GetValueBytes());
            Assert.Equal("h2", m.Headers[1].Key);
            Assert.Null(m.Headers[1].GetValueBytes());
        }
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    [InlineData(CompressionType.None)]
    public async Task Every_compression_codec_round_trips(CompressionType codec)
    {
        var topic = await fixture.CreateTopicAsync(partitions: 2);
        using var producer = fixture.CreateProducer(c =>
        {
            c.CompressionType = codec;
            c.LingerMs = 20;
            c.BatchNumMessages = 500;
        });
        const int count = 1000;
        for (var i = 0; i < count; i++)
        {
            producer.Produce(new TopicPartition(topic, i % 2), new Message<byte[]?, byte[]?>
            {
                Key = Bytes("k" + i),
                Value = Bytes(new string((char)('a' + (i % 26)), 100 + (i % 50)) + i),
            });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));

        using var consumer = fixture.CreateConsumer();
        consumer.Assign([new TopicPartitionOffset(topic, 0, Offset.Beginning), new TopicPartitionOffset(topic, 1, Offset.Beginning)]);
        var records = Clients.ConsumeExactly(consumer, count);
        var seen = new HashSet<string>();
        foreach (var r in records)
        {
            var key = Encoding.UTF8.GetString(r.Message.Key!);
            var i = int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(i % 2, r.Partition.Value);
            Assert.EndsWith(i.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(r.Message.Value!), StringComparison.Ordinal);
            Assert.True(seen.Add(key), "duplicate record " + key);
        }

        // Offsets in each partition are dense and in produce order.
        foreach (var partition in records.GroupBy(r => r.Partition.Value))
        {
            var offsets = partition.Select(r => r.Offset.Value).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(x => (long)x), offsets);
        }
    }

    [Fact]
    public async Task Many_partitions_each_keep_their_own_offsets()
    {
        const int partitions = 64;
        var topic = await fixture.CreateTopicAsync(partitions);
        using var producer = fixture.CreateProducer(c => c.LingerMs = 5);
        for (var i = 0; i < partitions * 10; i++)
        {
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<byte[]?, byte[]?> { Value = Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        using var consumer = fixture.CreateConsumer();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = Clients.ConsumeExactly(consumer, partitions * 10);
        foreach (var group in records.GroupBy(r => r.Partition.Value))
        {
            Assert.Equal(10, group.Count());
            Assert.Equal(Enumerable.Range(0, 10).Select(x => (long)x), group.Select(r => r.Offset.Value).Order());
        }

        using var admin = fixture.CreateAdmin();
        for (var p = 0; p < partitions; p += 13)
        {
            var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
            Assert.Equal(0, watermarks.Low.Value);
            Assert.Equal(10, watermarks.High.Value);
        }
    }

    [Fact]
    public async Task A_waiting_consumer_receives_records_produced_after_it_started_polling()
    {
        var topic = await fixture.CreateTopicAsync();
        using var consumer = fixture.CreateConsumer(c => c.FetchWaitMaxMs = 5000);
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var consumed = Task.Run(() => Clients.ConsumeExactly(consumer, 3), TestContext.Current.CancellationToken);
        using var producer = fixture.CreateProducer();
        for (var i = 0; i < 3; i++)
        {
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = Bytes("late-" + i) }, TestContext.Current.CancellationToken);
        }

        var records = await consumed;
        Assert.Equal(["late-0", "late-1", "late-2"], records.Select(r => Encoding.UTF8.GetString(r.Message.Value!)));
    }

    [Fact]
    public async Task Consuming_from_the_middle_replays_from_that_offset()
    {
        var topic = await fixture.CreateTopicAsync();
        using var producer = fixture.CreateProducer();
        for (var i = 0; i < 50; i++)
        {
            producer.Produce(topic, new Message<byte[]?, byte[]?> { Value = Bytes("m" + i) });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        using var consumer = fixture.CreateConsumer();
        consumer.Assign(new TopicPartitionOffset(topic, 0, 37));
        var records = Clients.ConsumeExactly(consumer, 13);
        Assert.Equal(37, records[0].Offset.Value);
        Assert.Equal("m37", Encoding.UTF8.GetString(records[0].Message.Value!));
        Assert.Equal("m49", Encoding.UTF8.GetString(records[^1].Message.Value!));
    }

    [Fact]
    public async Task Log_append_time_topics_stamp_records_with_the_broker_clock()
    {
        var topic = await fixture.CreateTopicAsync(configs: new() { ["message.timestamp.type"] = "LogAppendTime" });
        using var producer = fixture.CreateProducer();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var delivery = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?>
        {
            Value = Bytes("x"),
            Timestamp = new Timestamp(1000, TimestampType.CreateTime),
        }, TestContext.Current.CancellationToken);
        Assert.Equal(TimestampType.LogAppendTime, delivery.Timestamp.Type);
        Assert.True(delivery.Timestamp.UnixTimestampMs >= before - 1000, "append time should be the broker's clock, not the producer's 1000");

        using var consumer = fixture.CreateConsumer();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var record = Clients.ConsumeExactly(consumer, 1)[0];
        Assert.Equal(TimestampType.LogAppendTime, record.Message.Timestamp.Type);
        Assert.Equal(delivery.Timestamp.UnixTimestampMs, record.Message.Timestamp.UnixTimestampMs);
    }
}
