using System.Globalization;
using Confluent.Kafka;

// An exactly-once consume-transform-produce loop with Confluent.Kafka, run as its own process so
// tests can kill it with SIGKILL mid-transaction: reads <input> (read_committed, group <group>),
// writes "out-" + value to <output> (same partition), one transaction per polled batch with its
// offsets (SendOffsetsToTransaction), and exits 0 once every input partition is consumed to its end.
// Usage: runnel-transform-client <bootstrap> <input> <partitions> <output> <group> <transactional id>
// Prints "ready", "committed <n>" per transaction and "done" on stdout.
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: runnel-transform-client <bootstrap> <input> <partitions> <output> <group> <transactional id>");
    return 2;
}

var (bootstrap, input, partitionCount, output, group, transactionalId) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3], args[4], args[5]);
var timeout = TimeSpan.FromSeconds(30);
using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
{
    BootstrapServers = bootstrap,
    TransactionalId = transactionalId,
    TransactionTimeoutMs = 10_000,
    LingerMs = 5,
}).Build();
producer.InitTransactions(timeout);
using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
{
    BootstrapServers = bootstrap,
    GroupId = group,
    EnableAutoCommit = false,
    AutoOffsetReset = AutoOffsetReset.Earliest,
    IsolationLevel = IsolationLevel.ReadCommitted,
}).Build();

// No offsets given: each partition starts at the group's committed offset (stable, KIP-447).
var partitions = Enumerable.Range(0, partitionCount).Select(p => new TopicPartition(input, p)).ToList();
consumer.Assign(partitions);
var started = consumer.Committed(partitions, timeout).Select(c => Math.Max(c.Offset.Value, 0)).ToArray();
var positions = (long[])started.Clone();
Console.WriteLine("ready");
var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(50);
var batch = new List<ConsumeResult<byte[]?, byte[]>>();
while (DateTime.UtcNow < deadline)
{
    batch.Clear();
    while (batch.Count < 10 && consumer.Consume(batch.Count == 0 ? TimeSpan.FromSeconds(1) : TimeSpan.Zero) is { } result)
    {
        batch.Add(result);
    }

    if (batch.Count == 0)
    {
        var ends = partitions.Select(p => consumer.QueryWatermarkOffsets(p, timeout).High.Value).ToArray();
        if (positions.Zip(ends).All(pair => pair.First >= pair.Second))
        {
            Console.WriteLine("done");
            consumer.Close();
            return 0;
        }

        continue;
    }

    producer.BeginTransaction();
    foreach (var record in batch)
    {
        producer.Produce(new TopicPartition(output, record.Partition), new Message<byte[]?, byte[]> { Value = [.. "out-"u8, .. record.Message.Value] });
        positions[record.Partition.Value] = record.Offset.Value + 1;
    }

    var offsets = partitions.Select(p => new TopicPartitionOffset(p, positions[p.Partition.Value])).ToList();
    producer.SendOffsetsToTransaction(offsets, consumer.ConsumerGroupMetadata, timeout);
    producer.CommitTransaction(timeout);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"committed {batch.Count}"));
}

Console.Error.WriteLine("input not consumed to its end before the deadline");
return 1;
