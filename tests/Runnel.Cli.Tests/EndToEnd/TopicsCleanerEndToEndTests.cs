using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Runnel.Cli.Metrics;
using Runnel.TestKit;

namespace Runnel.Cli.Tests.EndToEnd;

/// <summary><c>topics describe</c> with the cleanup policy, and the cleaner's progress from the broker's metrics endpoint.</summary>
[Collection(CliBrokerCollection.Name)]
public sealed class TopicsCleanerEndToEndTests(CliBrokerFixture broker)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Describe_with_metrics_url_shows_how_far_the_cleaner_got_on_a_compacted_topic()
    {
        string topic = await broker.CreateTopicAsync("compacted", 1, "cleanup.policy=compact", "segment.bytes=1024", "min.cleanable.dirty.ratio=0.01");
        await ProduceVersionsAsync(topic, keys: 4, versions: 60);

        // The cleaner runs in the background: wait until it has checkpointed a clean of partition 0.
        await Eventually.TrueAsync(async () =>
        {
            CleanerProgress? progress = await ScrapeAsync(topic);
            return progress is { FirstDirtyOffset: > 0, LastRunUnixSeconds: > 0 };
        }, $"the cleaner cleans partition 0 of {topic}");

        CliResult describe = await broker.RunAsync("topics", "describe", "--topic", topic, "--metrics-url", broker.MetricsEndpoint.ToString());

        describe.AssertSuccess();
        Assert.Empty(describe.Error);
        string[] lines = describe.Lines;
        Assert.Equal(2, lines.Length);
        Assert.Matches($@"^Topic: {topic}\tTopicId: \S+\tPartitionCount: 1\tReplicationFactor: 1\tCleanupPolicy: compact\tConfigs: cleanup\.policy=compact,min\.cleanable\.dirty\.ratio=0\.01,segment\.bytes=1024$", lines[0]);
        Match partition = Regex.Match(lines[1],
            $@"^\tTopic: {topic}\tPartition: 0\tLeader: \d+\tReplicas: \d+\tIsr: \d+\tElr: N/A\tLastKnownElr: N/A" +
            @"\tDirtyRatio: [01]\.\d\d\tCleanedUpTo: (?<offset>\d+)\tLastCleaned: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tCleanerRead: (?<read>\d+)\tCleanerWritten: \d+$");
        Assert.True(partition.Success, lines[1]);
        Assert.True(long.Parse(partition.Groups["offset"].Value, CultureInfo.InvariantCulture) > 0, lines[1]);
        Assert.True(long.Parse(partition.Groups["read"].Value, CultureInfo.InvariantCulture) > 0, lines[1]);
    }

    [Fact]
    public async Task Describe_with_metrics_url_adds_nothing_to_a_topic_that_is_not_compacted()
    {
        string topic = await broker.CreateTopicAsync("deleting");

        CliResult describe = await broker.RunAsync("topics", "describe", "--topic", topic, "--metrics-url", broker.MetricsEndpoint.ToString());

        describe.AssertSuccess();
        Assert.Contains("\tCleanupPolicy: delete\t", describe.Lines[0], StringComparison.Ordinal);
        Assert.EndsWith("\tElr: N/A\tLastKnownElr: N/A", describe.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_listener_address_without_a_path_scrapes_slash_metrics()
    {
        string topic = await broker.CreateTopicAsync("root", 1, "cleanup.policy=compact,delete");

        CliResult describe = await broker.RunAsync("topics", "describe", "--topic", topic, "--metrics-url", $"http://127.0.0.1:{broker.MetricsEndpoint.Port.ToString(CultureInfo.InvariantCulture)}");

        describe.AssertSuccess();
        Assert.Contains("\tCleanupPolicy: compact,delete\t", describe.Lines[0], StringComparison.Ordinal);
        Assert.Contains("\tDirtyRatio: ", describe.Lines[1], StringComparison.Ordinal);
        Assert.Contains("\tCleanedUpTo: 0\t", describe.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metrics_url_that_fails_is_an_error_but_the_topic_is_still_described()
    {
        string topic = await broker.CreateTopicAsync("failing", 1, "cleanup.policy=compact");
        Uri notMetrics = new(broker.MetricsEndpoint, "/not-metrics");

        CliResult describe = await broker.RunAsync("topics", "describe", "--topic", topic, "--metrics-url", notMetrics.ToString());

        Assert.Equal(1, describe.ExitCode);
        Assert.Equal([$"Error: cannot read metrics from {notMetrics}: the server answered 404 Not Found."], describe.ErrorLines);
        Assert.Equal(2, describe.Lines.Length);
        Assert.Contains("\tCleanupPolicy: compact\t", describe.Lines[0], StringComparison.Ordinal);
        Assert.EndsWith("\tElr: N/A\tLastKnownElr: N/A", describe.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metrics_url_that_is_not_a_url_is_an_error_but_the_topic_is_still_described()
    {
        string topic = await broker.CreateTopicAsync("notaurl", 1, "cleanup.policy=compact");

        CliResult describe = await broker.RunAsync("topics", "describe", "--topic", topic, "--metrics-url", "localhost:9404");

        Assert.Equal(1, describe.ExitCode);
        Assert.Equal(["Error: --metrics-url localhost:9404 is not an http:// or https:// URL (for example http://127.0.0.1:9404/metrics)."], describe.ErrorLines);
        Assert.Equal(2, describe.Lines.Length);
    }

    /// <summary>Many versions of a few keys, one record per batch so they spread over many 1 KiB segments.</summary>
    private async Task ProduceVersionsAsync(string topic, int keys, int versions)
    {
        using IProducer<string, string> producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = broker.Broker.BootstrapServers,
            LingerMs = 0,
            EnableIdempotence = false,
        }).Build();
        for (int version = 0; version < versions; version++)
        {
            for (int key = 0; key < keys; key++)
            {
                await producer.ProduceAsync(topic, new Message<string, string>
                {
                    Key = "key-" + key.ToString(CultureInfo.InvariantCulture),
                    Value = $"version {version.ToString(CultureInfo.InvariantCulture)} of key {key.ToString(CultureInfo.InvariantCulture)}",
                }, TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>The cleaner's progress on partition 0 of <paramref name="topic"/> as the metrics endpoint reports it, or null before it reports any.</summary>
    private async Task<CleanerProgress?> ScrapeAsync(string topic)
    {
        string text = await s_http.GetStringAsync(broker.MetricsEndpoint, TestContext.Current.CancellationToken);
        return CleanerProgress.FromSamples(PrometheusTextParser.Parse(text)).GetValueOrDefault((topic, 0));
    }
}
