using System.Text;
using Confluent.Kafka;

namespace Runnel.IntegrationTests;

[Collection(BrokerCollection.Name)]
public sealed class OffsetsAndLimitsTests(BrokerFixture fixture)
{
    [Fact]
    public async Task OffsetsForTimes_finds_the_first_record_at_or_after_each_timestamp()
    {
        var topic = await fixture.CreateTopicAsync();
        using var producer = fixture.CreateProducer(c => c.LingerMs = 0);
        var t0 = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        for (var i = 0; i < 100; i++)
        {
            // Timestamps 10 ms apart, several records per batch.
            producer.Produce(topic, new Message<byte[]?, byte[]?> { Value = [(byte)i], Timestamp = new Timestamp(t0 + (i * 10), TimestampType.CreateTime) });
            if (i % 7 == 0)
            {
                producer.Flush(TimeSpan.FromSeconds(10));
            }
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        using var consumer = fixture.CreateConsumer();
        foreach (var (target, expected) in new[] { (t0 - 5, 0L), (t0, 0L), (t0 + 1, 1L), (t0 + 455, 46L), (t0 + 990, 99L), (t0 + 991, -1L) })
        {
            var result = consumer.OffsetsForTimes([new TopicPartitionTimestamp(topic, 0, new Timestamp(target, TimestampType.CreateTime))], TimeSpan.FromSeconds(10));
            Assert.Equal(expected, result[0].Offset.Value);
        }
    }

    [Fact]
    public async Task Watermarks_report_the_log_start_and_end()
    {
        var topic = await fixture.CreateTopicAsync();
        using var producer = fixture.CreateProducer();
        for (var i = 0; i < 7; i++)
        {
            producer.Produce(topic, new Message<byte[]?, byte[]?> { Value = [1] });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        using var consumer = fixture.CreateConsumer();
        var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
        Assert.Equal(0, w.Low.Value);
        Assert.Equal(7, w.High.Value);
    }

    [Fact]
    public async Task A_record_near_the_topic_limit_is_accepted_and_one_over_it_is_rejected()
    {
        const int limit = 100_000;
        var topic = await fixture.CreateTopicAsync(configs: new() { ["max.message.bytes"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        // The client's own limit is raised so the broker is the one deciding.
        using var producer = fixture.CreateProducer(c =>
        {
            c.MessageMaxBytes = 10_000_000;
            c.CompressionType = CompressionType.None;
            c.LingerMs = 0;
        });
        var fits = new byte[limit - 200];
        var ok = await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = fits }, TestContext.Current.CancellationToken);
        Assert.Equal(0, ok.Offset.Value);

        var tooBig = new byte[limit + 1000];
        var error = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() =>
            producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = tooBig }, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.MsgSizeTooLarge, error.Error.Code);

        using var consumer = fixture.CreateConsumer();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = Clients.ConsumeExactly(consumer, 1);
        Assert.Equal(fits.Length, records[0].Message.Value!.Length);
        Assert.Equal(1, consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).High.Value);
    }

    [Fact]
    public async Task A_message_larger_than_a_fetch_limit_is_still_delivered()
    {
        var topic = await fixture.CreateTopicAsync();
        using var producer = fixture.CreateProducer(c => c.CompressionType = CompressionType.None);
        var big = Encoding.ASCII.GetBytes(new string('z', 600_000));
        await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = big }, TestContext.Current.CancellationToken);
        using var consumer = fixture.CreateConsumer(c =>
        {
            // librdkafka requires fetch.max.bytes >= message.max.bytes; both far below the record.
            c.MessageMaxBytes = 1000;
            c.MaxPartitionFetchBytes = 1024;
            c.FetchMaxBytes = 1024;
        });
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var record = Clients.ConsumeExactly(consumer, 1)[0];
        Assert.Equal(big, record.Message.Value);
    }
}
