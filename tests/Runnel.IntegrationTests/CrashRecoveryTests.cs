using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>
/// A broker process is killed with SIGKILL while producers write with acks=-1 and
/// fsync-before-ack; after a restart every acknowledged record is there, in order, exactly once.
/// </summary>
public sealed class CrashRecoveryTests
{
    private const string Topic = "crash";
    private const int Partitions = 2;

    public enum TailDamage
    {
        None,
        TornBatch,
        Garbage,
    }

    [Theory]
    [InlineData(TailDamage.None)]
    [InlineData(TailDamage.TornBatch)]
    [InlineData(TailDamage.Garbage)]
    public async Task Every_acknowledged_record_survives_a_SIGKILL(TailDamage damage)
    {
        using var dir = new TempDirectory("crash");
        string[] overrides = ["runnel.log.flush.on.acks.all=true", "log.segment.bytes=1048576"];
        var acknowledged = new ConcurrentDictionary<(int Partition, long Offset), string>();
        var stop = new CancellationTokenSource();

        await using (var broker = await RunnelBrokerProcess.StartAsync(dir.Path, overrides))
        {
            using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = Partitions, ReplicationFactor = 1 }]);
            }

            // Two producers writing as fast as acks=-1 with fsync allows; no retries, so a record is
            // either acknowledged once or not at all.
            var producers = Enumerable.Range(0, 2).Select(p => Task.Run(() => ProduceUntilStopped(broker.BootstrapServers, p, acknowledged, stop.Token))).ToArray();
            await Eventually.TrueAsync(() => acknowledged.Count >= 3000, "3000 records should be acknowledged before the kill\n" + broker.DescribeOutput(), TimeSpan.FromSeconds(120));
            await broker.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(producers);
        }

        DamageTail(dir.Path, damage);

        await using var restarted = await RunnelBrokerProcess.StartAsync(dir.Path, overrides);
        using var consumer = Clients.CreateConsumer(restarted.BootstrapServers);
        for (var p = 0; p < Partitions; p++)
        {
            var end = consumer.QueryWatermarkOffsets(new TopicPartition(Topic, p), TimeSpan.FromSeconds(30)).High.Value;
            var expected = acknowledged.Where(a => a.Key.Partition == p).ToDictionary(a => a.Key.Offset, a => a.Value);
            Assert.True(expected.Count == 0 || end > expected.Keys.Max(), $"partition {p}: high watermark {end} is below the last acknowledged offset {expected.Keys.DefaultIfEmpty().Max()}\n{restarted.DescribeOutput()}");

            consumer.Assign(new TopicPartitionOffset(Topic, p, Offset.Beginning));
            var records = Clients.ConsumeExactly(consumer, (int)end, TimeSpan.FromSeconds(60));
            var seen = new HashSet<string>();
            long previousOffset = -1;
            var previousSequence = new Dictionary<string, long>();
            foreach (var r in records)
            {
                Assert.True(r.Offset.Value > previousOffset, "offsets must increase");
                previousOffset = r.Offset.Value;
                var value = Encoding.ASCII.GetString(r.Message.Value!);
                Assert.True(seen.Add(value), $"record {value} appears twice");
                if (expected.TryGetValue(r.Offset.Value, out var acked))
                {
                    Assert.Equal(acked, value);
                }

                // Each producer's records stay in the order they were sent.
                var parts = value.Split('-');
                var sequence = long.Parse(parts[1], CultureInfo.InvariantCulture);
                if (previousSequence.TryGetValue(parts[0], out var last))
                {
                    Assert.True(sequence > last, $"{value} after sequence {last}");
                }

                previousSequence[parts[0]] = sequence;
            }

            foreach (var (offset, value) in expected)
            {
                Assert.Contains(value, seen);
            }
        }
    }

    private static void ProduceUntilStopped(string bootstrap, int producerIndex, ConcurrentDictionary<(int, long), string> acknowledged, CancellationToken stop)
    {
        using var producer = Clients.CreateProducer(bootstrap, c =>
        {
            c.Acks = Acks.All;
            c.MessageSendMaxRetries = 0;
            c.MessageTimeoutMs = 5000;
            c.LingerMs = 1;
            c.MaxInFlight = 1;
        });
        long sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            var value = $"p{producerIndex}-{sequence++}";
            try
            {
                producer.Produce(new TopicPartition(Topic, (int)(sequence % Partitions)), new Message<byte[]?, byte[]?> { Value = Encoding.ASCII.GetBytes(value) }, report =>
                {
                    if (report.Error.Code == ErrorCode.NoError)
                    {
                        acknowledged[(report.Partition.Value, report.Offset.Value)] = value;
                    }
                });
            }
            catch (ProduceException<byte[]?, byte[]?>)
            {
                // Local queue full: let deliveries drain.
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }

        producer.Flush(TimeSpan.FromSeconds(10));
    }

    /// <summary>Simulates a write torn by the crash: damage after the last complete batch of each active segment.</summary>
    private static void DamageTail(string dataDir, TailDamage damage)
    {
        if (damage == TailDamage.None)
        {
            return;
        }

        for (var p = 0; p < Partitions; p++)
        {
            var partitionDir = Path.Combine(dataDir, $"{Topic}-{p}");
            var active = Directory.GetFiles(partitionDir, "*.log").Order(StringComparer.Ordinal).Last();
            using var file = new FileStream(active, FileMode.Append, FileAccess.Write);
            if (damage == TailDamage.TornBatch)
            {
                // The first 40 bytes of a batch that claims 5000 bytes: the rest never reached the disk.
                var header = new byte[40];
                BinaryPrimitives.WriteInt64BigEndian(header, 999_999);
                BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 5000);
                header[16] = 2;
                file.Write(header);
            }
            else
            {
                var garbage = new byte[777];
                new Random(p).NextBytes(garbage);
                file.Write(garbage);
            }
        }
    }
}
