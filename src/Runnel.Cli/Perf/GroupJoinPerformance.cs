using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf;

/// <summary>
/// How long a new consumer group takes to stabilise: N consumers subscribe at once to a topic with a
/// record in every partition; the time runs from the first Subscribe until every member has received
/// its first record (join, sync or heartbeat reconciliation, offset fetch and first fetch). One line per
/// run, then min/median/max. Works against any Kafka cluster.
/// </summary>
internal sealed class GroupJoinPerformance(string topic, int members, string protocol, int runs, Dictionary<string, string> clientConfig, TextWriter output, TextWriter error)
{
    /// <summary>The protocols this tool can compare, with the consumer settings each needs.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Protocols = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["classic-eager"] = new Dictionary<string, string> { ["group.protocol"] = "classic", ["partition.assignment.strategy"] = "range" },
        ["classic-cooperative"] = new Dictionary<string, string> { ["group.protocol"] = "classic", ["partition.assignment.strategy"] = "cooperative-sticky" },
        ["consumer"] = new Dictionary<string, string> { ["group.protocol"] = "consumer" },
    };

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var partitions = await CountPartitionsAsync();
        if (partitions < members)
        {
            throw new ToolException($"Topic '{topic}' has {partitions} partition(s); give it at least --members ({members}) so every member gets one.");
        }

        var timings = new List<double>(runs);
        output.WriteLine("run, members, protocol, stabilise.ms");
        for (var run = 1; run <= runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Produce(partitions);
            var elapsed = MeasureOnce(cancellationToken);
            timings.Add(elapsed.TotalMilliseconds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run}, {members}, {protocol}, {elapsed.TotalMilliseconds:F0}"));
        }

        timings.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"min {timings[0]:F0} ms, median {timings[timings.Count / 2]:F0} ms, max {timings[^1]:F0} ms"));
        return 0;
    }

    private async Task<int> CountPartitionsAsync()
    {
        using var admin = KafkaClients.CreateAdmin(clientConfig, error);
        try
        {
            var described = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]));
            return described.TopicDescriptions[0].Partitions.Count;
        }
        catch (DescribeTopicsException e)
        {
            throw new ToolException($"Topic '{topic}' cannot be described: {e.Results.TopicDescriptions[0].Error.Reason}");
        }
    }

    /// <summary>One record per partition, so every member has something to fetch whatever it is given.</summary>
    private void Produce(int partitions)
    {
        using var producer = KafkaClients.CreateProducer<Null, byte[]>(clientConfig, error);
        for (var p = 0; p < partitions; p++)
        {
            producer.Produce(new TopicPartition(topic, p), new Message<Null, byte[]> { Value = [1] });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private TimeSpan MeasureOnce(CancellationToken cancellationToken)
    {
        var group = "runnel-perf-group-" + Guid.NewGuid().ToString("N");
        var config = new Dictionary<string, string>(clientConfig)
        {
            ["group.id"] = group,
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
        };
        foreach (var (key, value) in Protocols[protocol])
        {
            config[key] = value;
        }

        var consumers = new IConsumer<Ignore, byte[]>[members];
        for (var i = 0; i < members; i++)
        {
            consumers[i] = KafkaClients.CreateConsumer<Ignore, byte[]>(config, error);
        }

        var firstRecord = new long[members];
        var done = 0;
        var started = Stopwatch.GetTimestamp();
        var threads = new Thread[members];
        for (var i = 0; i < members; i++)
        {
            var index = i;
            threads[i] = new Thread(() =>
            {
                var consumer = consumers[index];
                consumer.Subscribe(topic);

                // Keep polling after the first record so this member stays in the group (and
                // takes part in rebalances) until every member has been served.
                while (Volatile.Read(ref done) < members && !cancellationToken.IsCancellationRequested)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(20)) is { Message: not null } && firstRecord[index] == 0)
                    {
                        firstRecord[index] = Stopwatch.GetTimestamp();
                        Interlocked.Increment(ref done);
                    }
                }
            })
            { IsBackground = true, Name = "perf-member-" + index };
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var last = 0L;
        foreach (var t in firstRecord)
        {
            last = Math.Max(last, t);
        }

        foreach (var consumer in consumers)
        {
            consumer.Close();
            consumer.Dispose();
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Stopwatch.GetElapsedTime(started, last);
    }
}
