using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Broker.Metrics;

namespace Runnel.Broker.Tests.Metrics;

public sealed class PrometheusExporterTests : IDisposable
{
    // Every test has its own meter; the exporter must only ever see this one.
    private readonly Meter _meter = new(BrokerHost.MeterName);
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests() => _exporter = new PrometheusExporter(_meter, NullLogger.Instance);

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    [Fact]
    public void Counter_has_help_type_and_total_suffix()
    {
        Counter<long> counter = _meter.CreateCounter<long>("test.requests", description: "Requests served.");
        counter.Add(2);
        counter.Add(3);

        Assert.Equal(
            "# HELP test_requests_total Requests served.\n" +
            "# TYPE test_requests_total counter\n" +
            "test_requests_total 5\n",
            _exporter.Collect());
    }

    [Fact]
    public void Counter_without_tags_is_exported_at_zero_before_its_first_increment()
    {
        _meter.CreateCounter<long>("test.rejected");

        Assert.Equal("# TYPE test_rejected_total counter\ntest_rejected_total 0\n", _exporter.Collect());
    }

    [Fact]
    public void Tagged_counter_sums_per_tag_set_whatever_the_tag_order()
    {
        Counter<double> counter = _meter.CreateCounter<double>("test.sent", unit: "By");
        counter.Add(1.5, Tag("api", "Fetch"), Tag("version", 17));
        counter.Add(2, Tag("version", 17), Tag("api", "Fetch"));
        counter.Add(4, Tag("api", "Produce"), Tag("version", 12));

        Assert.Equal(
            "# TYPE test_sent_bytes_total counter\n" +
            "test_sent_bytes_total{api=\"Fetch\",version=\"17\"} 3.5\n" +
            "test_sent_bytes_total{api=\"Produce\",version=\"12\"} 4\n",
            _exporter.Collect());
    }

    [Fact]
    public void Observable_gauge_tags_become_escaped_labels()
    {
        _meter.CreateObservableGauge("test.dirty_ratio", () => new Measurement<double>(0.25, Tag("topic", "a\"b\\c\nd"), Tag("partition", 3)),
            description: "Dirty \\ over\nall.");

        Assert.Equal(
            "# HELP test_dirty_ratio Dirty \\\\ over\\nall.\n" +
            "# TYPE test_dirty_ratio gauge\n" +
            "test_dirty_ratio{partition=\"3\",topic=\"a\\\"b\\\\c\\nd\"} 0.25\n",
            _exporter.Collect());
    }

    [Fact]
    public void Special_values_are_written_as_the_format_spells_them()
    {
        _meter.CreateObservableGauge("test.value", () => new[]
        {
            new Measurement<double>(double.NaN, Tag("case", "nan")),
            new Measurement<double>(double.PositiveInfinity, Tag("case", "pinf")),
            new Measurement<double>(double.NegativeInfinity, Tag("case", "ninf")),
            new Measurement<double>(-0.125, Tag("case", "negative")),
            new Measurement<double>(1e21, Tag("case", "large")),
        });

        string text = _exporter.Collect();

        Assert.Contains("test_value{case=\"nan\"} NaN\n", text, StringComparison.Ordinal);
        Assert.Contains("test_value{case=\"pinf\"} +Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("test_value{case=\"ninf\"} -Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("test_value{case=\"negative\"} -0.125\n", text, StringComparison.Ordinal);
        Assert.Contains("test_value{case=\"large\"} 1E+21\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Observable_series_that_are_no_longer_reported_disappear()
    {
        List<int> partitions = [0, 1];
        _meter.CreateObservableGauge("test.offset", () => partitions.Select(p => new Measurement<long>(p * 10, Tag("partition", p))).ToList());
        Assert.Contains("test_offset{partition=\"1\"} 10\n", _exporter.Collect(), StringComparison.Ordinal);

        partitions.Remove(1);
        string text = _exporter.Collect();

        Assert.Contains("test_offset{partition=\"0\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("partition=\"1\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Observable_instrument_without_a_measurement_writes_no_family()
    {
        _meter.CreateObservableGauge("test.nothing", () => Array.Empty<Measurement<double>>());

        Assert.Equal(string.Empty, _exporter.Collect());
    }

    [Fact]
    public void Up_down_counter_sums_and_gauge_keeps_the_last_value_both_as_gauges()
    {
        UpDownCounter<int> queued = _meter.CreateUpDownCounter<int>("test.queued");
        queued.Add(5);
        queued.Add(-2);
        Gauge<double> temperature = _meter.CreateGauge<double>("test.level");
        temperature.Record(7);
        temperature.Record(3.5);

        Assert.Equal(
            "# TYPE test_level gauge\ntest_level 3.5\n" +
            "# TYPE test_queued gauge\ntest_queued 3\n",
            _exporter.Collect());
    }

    [Fact]
    public void Observable_counter_reports_the_observed_total()
    {
        long total = 41;
        _meter.CreateObservableCounter("test.flushes", () => ++total);

        Assert.Contains("test_flushes_total 42\n", _exporter.Collect(), StringComparison.Ordinal);
        Assert.Contains("test_flushes_total 43\n", _exporter.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_has_cumulative_buckets_at_its_advised_bounds_sum_and_count_per_tag_set()
    {
        Histogram<double> histogram = _meter.CreateHistogram("test.latency", unit: "s", description: "Request time.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.01, 0.1] });
        histogram.Record(0.0005, Tag("request", "Produce"));
        histogram.Record(0.001, Tag("request", "Produce")); // on a bound: that bound's bucket (le)
        histogram.Record(0.05, Tag("request", "Produce"));
        histogram.Record(5, Tag("request", "Produce"));
        histogram.Record(0.002, Tag("request", "Fetch"));

        Assert.Equal(
            "# HELP test_latency_seconds Request time.\n" +
            "# TYPE test_latency_seconds histogram\n" +
            "test_latency_seconds_bucket{request=\"Fetch\",le=\"0.001\"} 0\n" +
            "test_latency_seconds_bucket{request=\"Fetch\",le=\"0.01\"} 1\n" +
            "test_latency_seconds_bucket{request=\"Fetch\",le=\"0.1\"} 1\n" +
            "test_latency_seconds_bucket{request=\"Fetch\",le=\"+Inf\"} 1\n" +
            "test_latency_seconds_sum{request=\"Fetch\"} 0.002\n" +
            "test_latency_seconds_count{request=\"Fetch\"} 1\n" +
            "test_latency_seconds_bucket{request=\"Produce\",le=\"0.001\"} 2\n" +
            "test_latency_seconds_bucket{request=\"Produce\",le=\"0.01\"} 2\n" +
            "test_latency_seconds_bucket{request=\"Produce\",le=\"0.1\"} 3\n" +
            "test_latency_seconds_bucket{request=\"Produce\",le=\"+Inf\"} 4\n" +
            "test_latency_seconds_sum{request=\"Produce\"} 5.0515\n" +
            "test_latency_seconds_count{request=\"Produce\"} 4\n",
            _exporter.Collect());
    }

    [Fact]
    public void Histogram_without_advice_uses_the_default_bounds_and_is_shown_empty_before_its_first_value()
    {
        Histogram<long> histogram = _meter.CreateHistogram<long>("test.size", unit: "By");
        string empty = _exporter.Collect();
        Assert.Contains("# TYPE test_size_bytes histogram\n", empty, StringComparison.Ordinal);
        Assert.Contains("test_size_bytes_bucket{le=\"+Inf\"} 0\n", empty, StringComparison.Ordinal);
        Assert.Contains("test_size_bytes_count 0\n", empty, StringComparison.Ordinal);

        histogram.Record(7);
        histogram.Record(20_000);
        string text = _exporter.Collect();
        Assert.Contains("test_size_bytes_bucket{le=\"5\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("test_size_bytes_bucket{le=\"10\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("test_size_bytes_bucket{le=\"10000\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("test_size_bytes_bucket{le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("test_size_bytes_sum 20007\n", text, StringComparison.Ordinal);
        Assert.Contains("test_size_bytes_count 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_measurement_with_one_tag_allocates_nothing_per_measurement_once_its_series_exists()
    {
        // The request path records a histogram and counters with one tag (request="Produce").
        Histogram<double> histogram = _meter.CreateHistogram("test.time", unit: "s", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.01] });
        Counter<long> counter = _meter.CreateCounter<long>("test.calls");
        var tag = Tag("request", "Produce");
        histogram.Record(0.002, tag);
        counter.Add(1, tag);

        // Less than a byte per measurement: any object per measurement would be 240,000 bytes or more
        // here. (Not exactly 0: the runtime may allocate once on this thread, e.g. while it
        // recompiles the loop, as one full-suite run showed with 88 bytes.)
        const int measurements = 10_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < measurements; i++)
        {
            histogram.Record(0.002, tag);
            counter.Add(1, tag);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < measurements, $"{allocated} bytes allocated by {measurements} measurements of each instrument");
        Assert.Contains("test_time_seconds_count{request=\"Produce\"} 10001\n", _exporter.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Instruments_of_another_meter_with_the_same_name_are_not_exported()
    {
        using Meter other = new(BrokerHost.MeterName);
        other.CreateCounter<long>("test.other").Add(1);
        _meter.CreateCounter<long>("test.mine").Add(1);

        string text = _exporter.Collect();

        Assert.Contains("test_mine_total 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("test_other", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_observable_callback_leaves_the_other_instruments_exported()
    {
        Func<double> broken = () => throw new InvalidOperationException("broken gauge");
        _meter.CreateObservableGauge("test.broken", broken);
        _meter.CreateObservableGauge("test.fine", () => 1.0);

        string text = _exporter.Collect();

        Assert.Contains("test_fine 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("test_broken", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Instruments_of_a_disposed_meter_are_dropped()
    {
        using Meter other = new("Runnel.Test.Disposed");
        using var exporter = new PrometheusExporter(other, NullLogger.Instance);
        other.CreateCounter<long>("test.gone").Add(1);
        Assert.Contains("test_gone_total 1\n", exporter.Collect(), StringComparison.Ordinal);

        other.Dispose();

        Assert.Equal(string.Empty, exporter.Collect());
    }

    [Fact]
    public void Runtime_gc_counters_are_exported_when_asked_with_their_generation_labels()
    {
        using var exporter = new PrometheusExporter(_meter, NullLogger.Instance, exportRuntimeMetrics: true);
        GC.Collect(0);

        List<string> lines = [.. exporter.Collect().Split('\n')];

        Assert.Contains("# TYPE dotnet_gc_collections_total counter", lines);
        Assert.Contains(lines, l => l.StartsWith("dotnet_gc_collections_total{gc_heap_generation=\"gen0\"} ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("dotnet_gc_collections_total{gc_heap_generation=\"gen2\"} ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("dotnet_gc_heap_total_allocated_bytes_total ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("dotnet_gc_pause_time_seconds_total ", StringComparison.Ordinal));
    }

    [Fact]
    public void Runtime_jit_counters_are_exported_when_asked_and_count_what_this_process_compiled()
    {
        using var exporter = new PrometheusExporter(_meter, NullLogger.Instance, exportRuntimeMetrics: true);

        List<string> lines = [.. exporter.Collect().Split('\n')];

        Assert.Contains("# TYPE dotnet_jit_compiled_methods_total counter", lines);
        Assert.Contains("# TYPE dotnet_jit_compilation_time_seconds_total counter", lines);
        // A test host compiles methods before any test runs, so both are above zero.
        Assert.True(SampleValue(lines, "dotnet_jit_compiled_methods_total") > 0);
        Assert.True(SampleValue(lines, "dotnet_jit_compilation_time_seconds_total") > 0);
    }

    private static double SampleValue(List<string> lines, string name)
    {
        string line = Assert.Single(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line.AsSpan(name.Length + 1), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Runtime_instruments_outside_the_gc_and_jit_counters_are_not_exported()
    {
        using var exporter = new PrometheusExporter(_meter, NullLogger.Instance, exportRuntimeMetrics: true);

        string[] families = [.. exporter.Collect().Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))];

        Assert.Equal(
            [
                "# TYPE dotnet_gc_collections_total counter", "# TYPE dotnet_gc_heap_total_allocated_bytes_total counter", "# TYPE dotnet_gc_pause_time_seconds_total counter",
                "# TYPE dotnet_jit_compilation_time_seconds_total counter", "# TYPE dotnet_jit_compiled_methods_total counter",
            ],
            families.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Runtime_gc_counters_are_not_exported_by_default()
    {
        GC.Collect(0);

        Assert.DoesNotContain("dotnet_gc", _exporter.Collect(), StringComparison.Ordinal);
    }
}
