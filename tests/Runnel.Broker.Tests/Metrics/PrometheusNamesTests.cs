using Runnel.Broker.Metrics;

namespace Runnel.Broker.Tests.Metrics;

/// <summary>The names OpenTelemetry's Prometheus exporter would give the same instruments.</summary>
public class PrometheusNamesTests
{
    [Theory]
    [InlineData("runnel.network.requests", null, true, "runnel_network_requests_total")]
    [InlineData("runnel.network.connections.active", null, false, "runnel_network_connections_active")]
    [InlineData("runnel.log_cleaner.max_clean_time", "s", false, "runnel_log_cleaner_max_clean_time_seconds")]
    [InlineData("runnel.log_cleaner.time_since_last_run", "ms", false, "runnel_log_cleaner_time_since_last_run_milliseconds")]
    [InlineData("runnel.log_cleaner.partition.bytes_read", "By", false, "runnel_log_cleaner_partition_bytes_read_bytes")]
    [InlineData("runnel.log_cleaner.partition.dirty_ratio", null, false, "runnel_log_cleaner_partition_dirty_ratio")]
    [InlineData("disk.usage", "1", false, "disk_usage_ratio")]
    [InlineData("cache.hit_ratio", "1", false, "cache_hit_ratio")]
    [InlineData("items.done", "1", true, "items_done_total")]
    [InlineData("io.rate", "By/s", false, "io_rate_bytes_per_second")]
    [InlineData("requests", "{request}", true, "requests_total")]
    [InlineData("request.duration_seconds", "s", false, "request_duration_seconds")]
    [InlineData("sent_total", null, true, "sent_total")]
    [InlineData("temperature", "Cel", false, "temperature_Cel")]
    [InlineData("9lives..left", null, false, "_9lives_left")]
    [InlineData("ns:name-with spaces", null, false, "ns:name_with_spaces")]
    public void Metric_names_follow_OpenTelemetry_translation(string instrument, string? unit, bool isCounter, string expected)
    {
        Assert.Equal(expected, PrometheusNames.MetricName(instrument, unit, isCounter));
    }

    [Theory]
    [InlineData("topic", "topic")]
    [InlineData("client.id", "client_id")]
    [InlineData("__reserved", "_reserved")]
    [InlineData("1st", "_1st")]
    [InlineData("a:b", "a_b")]
    public void Label_names_are_valid_and_never_reserved(string tag, string expected)
    {
        Assert.Equal(expected, PrometheusNames.LabelName(tag));
    }
}
