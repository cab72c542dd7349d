using System.Globalization;
using Runnel.Cli.Metrics;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.EndToEnd;

[Collection(CliBrokerCollection.Name)]
public sealed class PerfEndToEndLatencyTests(CliBrokerFixture broker)
{
    [Fact]
    public async Task Perf_e2e_default_mode_prints_kafkas_lines_after_measuring_every_record()
    {
        string topic = await broker.CreateTopicAsync("perf-e2e", partitions: 2);

        CliResult result = await broker.RunAsync("perf", "e2e", "--topic", topic, "--num-records", "40", "--producer-acks", "1");

        result.AssertSuccess();
        string[] lines = result.Lines;
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^Avg latency: \d+\.\d{4} ms$", lines[0]);
        Assert.Matches(@"^Percentiles: 50th = \d+, 99th = \d+, 99\.9th = \d+$", lines[1]);
        Assert.Matches(@"^40 records, latency ms: p50 \d+\.\d{3}, p95 \d+\.\d{3}, p99 \d+\.\d{3}, p99\.9 \d+\.\d{3}, max \d+\.\d{3}$", lines[2]);
    }

    [Fact]
    public async Task Perf_e2e_creates_a_missing_topic_as_kafkas_tool_does()
    {
        string topic = CliBrokerFixture.NewTopic("perf-e2e-new");

        CliResult result = await broker.RunAsync("perf", "e2e", "--topic", topic, "--num-records", "3", "--producer-acks", "all");

        result.AssertSuccess();
        Assert.Equal($"Topic \"{topic}\" does not exist. Will create topic with 1 partition(s) and replication factor = 1", result.Lines[0]);
        Assert.StartsWith("3 records, latency ms: ", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Perf_e2e_at_a_fixed_rate_measures_every_record_and_appends_a_csv_row()
    {
        string topic = await broker.CreateTopicAsync("perf-e2e-rate", partitions: 2);
        string csv = Path.Combine(Path.GetTempPath(), $"runnel-e2e-{Guid.NewGuid():N}.csv");
        try
        {
            CliResult result = await broker.RunAsync(
                "perf", "e2e", "--topic", topic, "--num-records", "200", "--producer-acks", "1", "--throughput", "1000", "--record-size", "32", "--csv", csv);

            result.AssertSuccess();
            Assert.Matches(
                @"^200 records, \d+\.\d records/sec \(\d+\.\d{2} MB/sec\), latency ms: avg \d+\.\d{3}, p50 \d+\.\d{3}, p95 \d+\.\d{3}, p99 \d+\.\d{3}, p99\.9 \d+\.\d{3}, max \d+\.\d{3}$",
                result.Lines[^1]);
            string[] rows = File.ReadAllLines(csv);
            Assert.Equal(2, rows.Length);
            string[] header = rows[0].Split(',');
            string[] values = rows[1].Split(',');
            Assert.Equal(header.Length, values.Length);
            Assert.Equal("e2e", values[Array.IndexOf(header, "tool")]);
            Assert.Equal("fixed-rate", values[Array.IndexOf(header, "mode")]);
            Assert.Equal("200", values[Array.IndexOf(header, "records")]);
            Assert.Equal("0", values[Array.IndexOf(header, "errors")]);
            Assert.Contains("broker_gc_gen0", header);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public async Task Perf_e2e_at_a_fixed_rate_sends_through_every_producer_in_turn()
    {
        string topic = await broker.CreateTopicAsync("perf-e2e-producers", partitions: 4);

        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "300", "--producer-acks", "all", "--throughput", "2000", "--record-size", "16", "--producers", "3");

        result.AssertSuccess();
        // Every record arrived, and each producer had its third of them acknowledged.
        Assert.Matches(@"^300 records, ", result.Lines[^2]);
        Assert.Equal("Records acknowledged per producer: 100, 100, 100", result.Lines[^1]);
    }

    [Fact]
    public async Task Perf_e2e_with_the_broker_pid_and_metrics_url_reports_disk_writes_and_gc_work()
    {
        string topic = await broker.CreateTopicAsync("perf-e2e-cost");
        int pid = Environment.ProcessId; // the test broker runs in this process

        CliResult result = await broker.RunAsync(
            "perf", "e2e", "--topic", topic, "--num-records", "20", "--producer-acks", "1",
            "--broker-pid", pid.ToString(CultureInfo.InvariantCulture), "--metrics-url", broker.MetricsEndpoint.ToString());

        result.AssertSuccess();
        Assert.Matches($@"^Broker pid {pid}: .* CPU ms/MiB, .*, disk writes (n/a|\d+\.\d{{2}} bytes/payload byte \(\d+ bytes\))\.$", result.Lines[^4]);
        Assert.Matches($@"^Broker pid {pid} GC: gen0 \d+, gen1 \d+, gen2 \d+ collections, \d+\.\d{{3}} ms paused, \d+\.\d bytes allocated/record \(\d+\.\d MiB\); JIT: \d+ methods compiled in \d+\.\d ms\.$", result.Lines[^3]);

        // Records went one at a time through Produce and Fetch requests: both are counted per API,
        // and both have request-time percentiles.
        var requests = System.Text.RegularExpressions.Regex.Match(result.Lines[^2], $@"^Broker pid {pid} requests: \d+\.\d/s \((.*)\), \d+\.\d µs CPU per request\.$");
        Assert.True(requests.Success, result.Lines[^2]);
        Assert.Contains("Produce ", requests.Groups[1].Value, StringComparison.Ordinal);
        Assert.Contains("Fetch ", requests.Groups[1].Value, StringComparison.Ordinal);
        Assert.StartsWith($"Broker pid {pid} request time: ", result.Lines[^1], StringComparison.Ordinal);
        Assert.Matches(@"Produce p50 ≤ [\d.]+ ms, p99 ≤ [\d.]+ ms, p99\.9 ≤ [\d.]+ ms", result.Lines[^1]);
        Assert.Matches(@"Fetch p50 ≤ [\d.]+ ms, p99 ≤ [\d.]+ ms, p99\.9 ≤ [\d.]+ ms", result.Lines[^1]);
    }

    [Fact]
    public async Task Metrics_endpoint_exports_the_runtimes_gc_counters()
    {
        List<PrometheusSample> samples = await MetricsScrape.ReadAsync(broker.MetricsEndpoint, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(
            ["gen0", "gen1", "gen2"],
            samples.Where(s => s.Name == BrokerRuntimeCounters.CollectionsMetric).Select(s => s.Label("gc_heap_generation")).Order(StringComparer.Ordinal));
        Assert.True(Assert.Single(samples, s => s.Name == BrokerRuntimeCounters.AllocatedMetric).Value > 0);
        Assert.Single(samples, s => s.Name == BrokerRuntimeCounters.PauseMetric);
        Assert.True(Assert.Single(samples, s => s.Name == BrokerRuntimeCounters.JitMethodsMetric).Value > 0);
        Assert.True(Assert.Single(samples, s => s.Name == BrokerRuntimeCounters.JitTimeMetric).Value > 0);
    }
}
