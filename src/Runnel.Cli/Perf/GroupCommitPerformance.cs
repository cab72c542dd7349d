using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf;

/// <summary>
/// Offset commits per second across many groups: <c>--concurrency</c> requests in flight, each an
/// OffsetCommit (through the Admin API, so generation -1 "simple" commits) of one partition for the
/// next of <c>--groups</c> group ids, for <c>--duration</c>. Every commit is acknowledged only once
/// the broker stored it, so this is the coordinator's durable commit rate.
/// </summary>
internal sealed class GroupCommitPerformance(string topic, int groups, int concurrency, TimeSpan duration, Dictionary<string, string> clientConfig, TextWriter output, TextWriter error)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var admin = KafkaClients.CreateAdmin(clientConfig, error);
        var prefix = "runnel-perf-commit-" + Guid.NewGuid().ToString("N")[..8] + "-";
        long commits = 0;
        long failures = 0;
        var next = -1L;
        var started = Stopwatch.GetTimestamp();
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(
                async () =>
                {
                    while (Stopwatch.GetElapsedTime(started) < duration && !cancellationToken.IsCancellationRequested)
                    {
                        var n = Interlocked.Increment(ref next);
                        var group = prefix + (n % groups).ToString(CultureInfo.InvariantCulture);
                        try
                        {
                            await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group, [new TopicPartitionOffset(topic, 0, n)])]);
                            Interlocked.Increment(ref commits);
                        }
                        catch (AlterConsumerGroupOffsetsException)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }
                },
                CancellationToken.None);
        }

        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        output.WriteLine("groups, concurrency, commits, failures, seconds, commits.sec");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{groups}, {concurrency}, {commits}, {failures}, {seconds:F1}, {commits / seconds:F0}"));
        return failures == 0 ? 0 : 1;
    }
}
