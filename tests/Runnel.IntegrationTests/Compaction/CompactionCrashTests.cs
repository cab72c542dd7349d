using Confluent.Kafka.Admin;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Compaction;

/// <summary>
/// A broker process is killed with SIGKILL while its cleaner is rewriting segments (caught in the act
/// by the <c>.cleaned</c> / <c>.swap</c> files it writes), restarted, and read back: every time the log
/// is readable, offsets are the produced ones in order with none twice, and every key's final value
/// is there. After the last restart the cleaner finishes the job.
/// </summary>
public sealed class CompactionCrashTests
{
    private const string Topic = "table";
    private const int Keys = 1500;
    private const int Rounds = 6;

    [Fact]
    public async Task A_SIGKILL_during_cleaning_loses_no_record_and_duplicates_no_offset()
    {
        using var dir = new TempDirectory("compaction-crash");
        string[] overrides =
        [
            "log.cleaner.backoff.ms=50",
            "log.cleaner.dedupe.buffer.size=4194304",
            // About a second or two per clean, so the kill lands inside one.
            "log.cleaner.io.max.bytes.per.second=3000000",
        ];
        var broker = await RunnelBrokerProcess.StartAsync(dir.Path, overrides, "Information");
        try
        {
            using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
            {
                var configs = new Dictionary<string, string>
                {
                    ["cleanup.policy"] = "compact",
                    ["segment.bytes"] = "262144",
                    ["min.cleanable.dirty.ratio"] = "0.01",
                    // Held back while producing, so each clean starts with a whole batch of dirt.
                    ["min.compaction.lag.ms"] = HoldBack,
                };
                await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 1, ReplicationFactor = 1, Configs = configs }]);
            }

            var produced = ProduceRounds(broker, 0, Rounds);
            var lastOffset = produced[^1].Offset;
            for (var kill = 0; kill < 3; kill++)
            {
                await SetCompactionLagAsync(broker, "0");
                await WaitForCleaningFilesAsync(dir.Path, broker, kill);
                await Task.Delay(kill * 7, TestContext.Current.CancellationToken);
                await broker.KillAsync();
                await broker.DisposeAsync();

                broker = await RunnelBrokerProcess.StartAsync(dir.Path, overrides, "Information");
                AssertNothingLost(CompactedView.ReadAll(broker.BootstrapServers, Topic, lastOffset), produced);

                // New versions after the recovery give the cleaner its next job.
                await SetCompactionLagAsync(broker, HoldBack);
                produced.AddRange(ProduceRounds(broker, Rounds + kill, 2));
                lastOffset = produced[^1].Offset;
            }

            await SetCompactionLagAsync(broker, "0");

            // The cleaner resumes from its checkpoint and compacts what the kills interrupted.
            // Finished: below the active segment (never cleaned) every key appears once.
            var repeated = -1;
            try
            {
                await Eventually.TrueAsync(
                    () => (repeated = RepeatedKeysBelowActiveSegment(dir.Path, CompactedView.ReadAll(broker.BootstrapServers, Topic, lastOffset))) == 0,
                    "the cleaner finishes compacting after the last restart",
                    TimeSpan.FromSeconds(90));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}: {repeated} repeated keys\n{broker.DescribeOutput()}", e);
            }

            AssertNothingLost(CompactedView.ReadAll(broker.BootstrapServers, Topic, lastOffset), produced);
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    private const string HoldBack = "3600000";

    private static async Task SetCompactionLagAsync(RunnelBrokerProcess broker, string lagMs)
    {
        using var admin = Clients.CreateAdmin(broker.BootstrapServers);
        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Topic, Name = Topic }] =
                [new ConfigEntry { Name = "min.compaction.lag.ms", Value = lagMs, IncrementalOperation = AlterConfigOpType.Set }],
        });
    }

    private static List<KeyedRecord> ProduceRounds(RunnelBrokerProcess broker, int firstRound, int rounds)
    {
        var padding = new string('x', 400);
        using var producer = Clients.CreateProducer(broker.BootstrapServers, c => c.LingerMs = 5);
        var records = Enumerable.Range(firstRound, rounds).SelectMany(round => Enumerable.Range(0, Keys).Select(k => ($"key-{k:D4}", (string?)$"r{round}-{padding}")));
        return CompactedView.Produce(producer, Topic, records);
    }

    /// <summary>Records below the active segment (the highest base offset among the partition's <c>.log</c> files) whose key appears again there.</summary>
    private static int RepeatedKeysBelowActiveSegment(string dataDirectory, List<KeyedRecord> read)
    {
        var activeBase = Directory.EnumerateFiles(Path.Combine(dataDirectory, Topic + "-0"), "*.log")
            .Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture))
            .Max();
        var below = read.Where(r => r.Offset < activeBase).ToList();
        return below.Count - below.Select(r => r.Key).Distinct().Count();
    }

    /// <summary>Waits until the cleaner has a cleaned segment in the making or a swap in progress.</summary>
    private static async Task WaitForCleaningFilesAsync(string dataDirectory, RunnelBrokerProcess broker, int kill)
    {
        try
        {
            await Eventually.TrueAsync(
                () => Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories)
                    .Any(f => f.EndsWith(".cleaned", StringComparison.Ordinal) || f.EndsWith(".swap", StringComparison.Ordinal)),
                $"the cleaner starts rewriting segments before kill {kill}",
                TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{string.Join("\n", Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories))}\n{broker.DescribeOutput()}", e);
        }
    }

    /// <summary>
    /// What holds at any instant of cleaning, even mid-swap after a crash: the records are the produced
    /// ones at their offsets, in order, each offset once, and every key's last record is there.
    /// </summary>
    private static void AssertNothingLost(List<KeyedRecord> read, List<KeyedRecord> produced)
    {
        var byOffset = produced.ToDictionary(static r => r.Offset);
        for (var i = 0; i < read.Count; i++)
        {
            Assert.True(i == 0 || read[i].Offset > read[i - 1].Offset, $"offset {read[i].Offset} after {(i == 0 ? -1 : read[i - 1].Offset)}");
            Assert.Equal(byOffset[read[i].Offset], read[i]);
        }

        var latest = new Dictionary<string, long>();
        foreach (var record in produced)
        {
            latest[record.Key] = record.Offset;
        }

        var offsets = read.Select(static r => r.Offset).ToHashSet();
        var missing = latest.Where(l => !offsets.Contains(l.Value)).Select(l => $"{l.Key}@{l.Value}").Take(5).ToList();
        Assert.True(missing.Count == 0, $"final records missing: {string.Join(", ", missing)}");
    }
}
