using Runnel.Cli.Kafka;
using Runnel.Cli.Metrics;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Perf;

public class BrokerRuntimeCountersTests
{
    private static readonly Uri s_source = new("http://127.0.0.1:9404/metrics");

    [Fact]
    public void Gc_counters_are_picked_out_of_a_scrape_by_name_and_generation()
    {
        List<PrometheusSample> samples = PrometheusTextParser.Parse(
            "# TYPE dotnet_gc_collections_total counter\n" +
            "dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 12\n" +
            "dotnet_gc_collections_total{gc_heap_generation=\"gen1\"} 3\n" +
            "dotnet_gc_collections_total{gc_heap_generation=\"gen2\"} 1\n" +
            "# TYPE dotnet_gc_heap_total_allocated_bytes_total counter\n" +
            "dotnet_gc_heap_total_allocated_bytes_total 2605360\n" +
            "# TYPE dotnet_gc_pause_time_seconds_total counter\n" +
            "dotnet_gc_pause_time_seconds_total 0.0125\n" +
            "runnel_network_requests_total 99\n");

        BrokerRuntimeCounters counters = BrokerRuntimeCounters.FromSamples(samples, s_source);

        Assert.Equal(new BrokerRuntimeCounters(12, 3, 1, 0.0125, 2605360), counters);
    }

    [Fact]
    public void A_run_reports_the_difference_between_two_scrapes()
    {
        BrokerRuntimeCounters before = new(10, 2, 1, 0.5, 1000);
        BrokerRuntimeCounters after = new(15, 3, 1, 0.75, 5000);

        Assert.Equal(new BrokerRuntimeCounters(5, 1, 0, 0.25, 4000), after.Minus(before));
    }

    [Fact]
    public void Jit_counters_are_picked_out_when_exported_and_a_run_reports_what_it_compiled()
    {
        List<PrometheusSample> before = PrometheusTextParser.Parse(
            "dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 1\n" +
            "dotnet_jit_compiled_methods_total 700\n" +
            "dotnet_jit_compilation_time_seconds_total 0.5\n");
        List<PrometheusSample> after = PrometheusTextParser.Parse(
            "dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 1\n" +
            "dotnet_jit_compiled_methods_total 812\n" +
            "dotnet_jit_compilation_time_seconds_total 0.5483\n");

        BrokerRuntimeCounters run = BrokerRuntimeCounters.FromSamples(after, s_source).Minus(BrokerRuntimeCounters.FromSamples(before, s_source));

        Assert.Equal(112, run.JitCompiledMethods);
        Assert.Equal(0.0483, run.JitSeconds!.Value, 9);
    }

    [Fact]
    public void A_broker_that_does_not_export_jit_counters_reports_none()
    {
        List<PrometheusSample> samples = PrometheusTextParser.Parse("dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 1\n");

        BrokerRuntimeCounters run = BrokerRuntimeCounters.FromSamples(samples, s_source).Minus(BrokerRuntimeCounters.FromSamples(samples, s_source));

        Assert.Null(run.JitCompiledMethods);
        Assert.Null(run.JitSeconds);
    }

    [Fact]
    public void Request_counts_are_picked_out_per_api_and_a_run_reports_those_that_grew()
    {
        List<PrometheusSample> before = PrometheusTextParser.Parse(
            "dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 1\n" +
            "runnel_network_requests_total{request=\"Produce\"} 100\n" +
            "runnel_network_requests_total{request=\"Metadata\"} 4\n");
        List<PrometheusSample> after = PrometheusTextParser.Parse(
            "dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 2\n" +
            "runnel_network_requests_total{request=\"Produce\"} 2100\n" +
            "runnel_network_requests_total{request=\"Metadata\"} 4\n" +
            "runnel_network_requests_total{request=\"Fetch\"} 500\n");

        BrokerRuntimeCounters run = BrokerRuntimeCounters.FromSamples(after, s_source).Minus(BrokerRuntimeCounters.FromSamples(before, s_source));

        Assert.Equal(new Dictionary<string, double> { ["Produce"] = 2000, ["Fetch"] = 500 }, run.Requests);
    }

    [Fact]
    public void Request_times_are_picked_out_per_api_and_a_run_reports_their_difference_as_bucket_bounds()
    {
        List<PrometheusSample> before = PrometheusTextParser.Parse(
            "dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 1\n" +
            Buckets("Produce", 10, 10, 10) + Buckets("Metadata", 1, 1, 1));
        List<PrometheusSample> after = PrometheusTextParser.Parse(
            "dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} 1\n" +
            Buckets("Produce", 990, 1009, 1010) + Buckets("Metadata", 1, 1, 1) + Buckets("Fetch", 0, 0, 4));

        BrokerRuntimeCounters run = BrokerRuntimeCounters.FromSamples(after, s_source).Minus(BrokerRuntimeCounters.FromSamples(before, s_source));

        Assert.Equal(["Fetch", "Produce"], run.RequestTimes!.Keys.Order(StringComparer.Ordinal));
        RequestTimeHistogram produce = run.RequestTimes["Produce"];
        Assert.Equal([0.001, 0.01, double.PositiveInfinity], produce.UpperBounds);
        Assert.Equal([980.0, 999, 1000], produce.Cumulative);
        Assert.Equal(0.001, produce.Percentile(0.5));
        Assert.Equal(0.01, produce.Percentile(0.99));
        Assert.Equal(double.PositiveInfinity, produce.Percentile(0.9995));
        Assert.Equal(double.PositiveInfinity, run.RequestTimes["Fetch"].Percentile(0.5));
    }

    private static string Buckets(string api, double upTo1ms, double upTo10ms, double all) =>
        $"runnel_network_request_time_seconds_bucket{{request=\"{api}\",le=\"0.001\"}} {upTo1ms}\n" +
        $"runnel_network_request_time_seconds_bucket{{request=\"{api}\",le=\"+Inf\"}} {all}\n" +
        $"runnel_network_request_time_seconds_bucket{{request=\"{api}\",le=\"0.01\"}} {upTo10ms}\n" +
        $"runnel_network_request_time_seconds_count{{request=\"{api}\"}} {all}\n";

    [Fact]
    public void An_endpoint_without_gc_counters_is_an_error_naming_it()
    {
        List<PrometheusSample> samples = PrometheusTextParser.Parse("runnel_network_requests_total 99\n");

        ToolException error = Assert.Throws<ToolException>(() => BrokerRuntimeCounters.FromSamples(samples, s_source));

        Assert.StartsWith("Error: http://127.0.0.1:9404/metrics exports no dotnet_gc_collections_total", error.Message, StringComparison.Ordinal);
    }
}
