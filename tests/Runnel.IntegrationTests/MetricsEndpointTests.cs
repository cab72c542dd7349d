using System.Net;
using System.Net.Sockets;
using System.Text;
using Runnel.Broker;
using Runnel.Broker.Configuration;
using Runnel.Broker.Network;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary><c>runnel.metrics.listener</c>: the broker's Prometheus endpoint, scraped over real HTTP.</summary>
[Collection(BrokerCollection.Name)]
public sealed class MetricsEndpointTests(BrokerFixture fixture)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private Uri Endpoint => fixture.Broker.Host.MetricsEndpoint ?? throw new InvalidOperationException("The shared broker serves no metrics.");

    [Fact]
    public void Port_zero_is_resolved_to_the_bound_port()
    {
        Assert.Equal("http", Endpoint.Scheme);
        Assert.Equal("127.0.0.1", Endpoint.Host);
        Assert.NotEqual(0, Endpoint.Port);
        Assert.Equal("/metrics", Endpoint.AbsolutePath);
    }

    [Fact]
    public async Task Metrics_has_network_counters_and_log_cleaner_gauges_in_text_format()
    {
        var topic = await fixture.CreateTopicAsync(configs: new() { ["cleanup.policy"] = "compact" }, prefix: "metrics");

        using var response = await s_http.GetAsync(Endpoint, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE runnel_network_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.True(SampleValue(text, "runnel_network_requests_total{request=\"CreateTopics\"}") > 0, text);
        Assert.True(SampleValue(text, "runnel_network_connections_accepted_total") > 0, text);
        Assert.Contains("# TYPE runnel_network_connections_active gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE runnel_log_cleaner_max_dirty_ratio gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# HELP runnel_log_cleaner_partition_first_dirty_offset The cleaner checkpoint of a compacted partition: everything below it is clean.\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE runnel_log_cleaner_partition_read_bytes gauge\n", text, StringComparison.Ordinal);
        Assert.Equal(0, SampleValue(text, $"runnel_log_cleaner_partition_first_dirty_offset{{partition=\"0\",topic=\"{topic}\"}}"));
        Assert.Equal(0, SampleValue(text, $"runnel_log_cleaner_partition_last_run_seconds{{partition=\"0\",topic=\"{topic}\"}}"));
    }

    [Fact]
    public async Task Requests_are_counted_per_api_with_kafka_names_and_unknown_keys_in_one_series()
    {
        await using var broker = await StartBrokerServedThreeApiVersionsAndOneMetadataAsync();

        foreach (var key in new short[] { 999, -7 })
        {
            // A key the broker does not serve closes that connection; it is still a request received.
            await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);
            var frame = WireClient.EncodeRequest(new ApiVersionsRequest(), version: 0, correlationId: 1);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), key);
            await client.SendRawAsync(frame, TestContext.Current.CancellationToken);
            Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
        }

        using var response = await s_http.GetAsync(broker.Host.MetricsEndpoint!, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(3, SampleValue(text, "runnel_network_requests_total{request=\"ApiVersions\"}"));
        Assert.Equal(1, SampleValue(text, "runnel_network_requests_total{request=\"Metadata\"}"));
        Assert.Equal(2, SampleValue(text, "runnel_network_requests_total{request=\"unknown\"}"));
        Assert.DoesNotContain("request=\"Produce\"", text, StringComparison.Ordinal);
        Assert.Equal(3, broker.Host.NetworkMetrics.RequestCount(ApiKey.ApiVersions));
    }

    [Fact]
    public async Task Request_time_is_a_histogram_per_api_of_the_requests_served()
    {
        await using var broker = await StartBrokerServedThreeApiVersionsAndOneMetadataAsync();

        // A request is timed once its response is handed to the socket, which may be just after the client has it.
        var text = await ScrapeUntilAsync(broker, t => t.Contains("runnel_network_request_time_seconds_count{request=\"Metadata\"} 1\n", StringComparison.Ordinal));

        Assert.Contains("# TYPE runnel_network_request_time_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Equal(3, SampleValue(text, "runnel_network_request_time_seconds_count{request=\"ApiVersions\"}"));
        Assert.Equal(3, SampleValue(text, "runnel_network_request_time_seconds_bucket{request=\"ApiVersions\",le=\"+Inf\"}"));
        Assert.True(SampleValue(text, "runnel_network_request_time_seconds_sum{request=\"ApiVersions\"}") > 0, text);

        // Cumulative: every bucket holds at least the one below it, the last all of them.
        var previous = 0.0;
        foreach (var bound in BrokerNetworkMetrics.RequestTimeBuckets)
        {
            var le = bound.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            var count = SampleValue(text, $"runnel_network_request_time_seconds_bucket{{request=\"Metadata\",le=\"{le}\"}}");
            Assert.True(count >= previous, text);
            previous = count;
        }

        Assert.True(previous <= 1, text);
        Assert.DoesNotContain("runnel_network_request_time_seconds_count{request=\"Produce\"}", text, StringComparison.Ordinal);
    }

    /// <summary>A broker of its own with a metrics listener, after one connection sent it 3 ApiVersions and 1 Metadata request.</summary>
    private static async Task<RunnelBroker> StartBrokerServedThreeApiVersionsAndOneMetadataAsync()
    {
        var broker = await RunnelBroker.StartAsync(
            new RunnelBrokerOptions { Config = new Dictionary<string, string> { ["runnel.metrics.listener"] = "http://127.0.0.1:0" } },
            TestContext.Current.CancellationToken);
        await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, TestContext.Current.CancellationToken);
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), version: 0, cancellationToken: TestContext.Current.CancellationToken);
        }

        await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, version: 12, cancellationToken: TestContext.Current.CancellationToken);
        return broker;
    }

    private static async Task<string> ScrapeUntilAsync(RunnelBroker broker, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var text = await s_http.GetStringAsync(broker.Host.MetricsEndpoint!, TestContext.Current.CancellationToken);
            if (done(text) || DateTime.UtcNow > deadline)
            {
                return text;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Head_answers_like_get_without_a_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, Endpoint);
        using var response = await s_http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/other")]
    [InlineData("/")]
    [InlineData("/metrics/extra")]
    public async Task Other_paths_are_not_found(string path)
    {
        using var response = await s_http.GetAsync(new Uri(Endpoint, path), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Other_methods_are_not_allowed()
    {
        using var content = new StringContent("x");
        using var response = await s_http.PostAsync(Endpoint, content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003\r\n\r\n", "HTTP/1.1 400 ")]
    [InlineData("GET /metrics HTTP/2.0\r\n\r\n", "HTTP/1.1 400 ")]
    [InlineData("GARBAGE\n\n", "HTTP/1.1 400 ")]
    public async Task A_malformed_request_gets_400_and_the_endpoint_keeps_serving(string request, string expectedStatusLine)
    {
        var answer = await SendRawAsync(Encoding.Latin1.GetBytes(request));

        Assert.StartsWith(expectedStatusLine, answer, StringComparison.Ordinal);
        using var response = await s_http.GetAsync(Endpoint, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_oversized_request_head_gets_431_and_the_endpoint_keeps_serving()
    {
        var answer = await SendRawAsync(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nX-Padding: " + new string('a', 9000) + "\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 431 ", answer, StringComparison.Ordinal);
        using var response = await s_http.GetAsync(Endpoint, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_request_leaves_the_endpoint_serving()
    {
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(Endpoint.Host, Endpoint.Port, TestContext.Current.CancellationToken);
            await client.GetStream().WriteAsync("GET /metr"u8.ToArray(), TestContext.Current.CancellationToken);
        }

        using var response = await s_http.GetAsync(Endpoint, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Endpoint_is_gone_after_the_broker_stops()
    {
        var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = new Dictionary<string, string> { ["runnel.metrics.listener"] = "http://127.0.0.1:0" } }, TestContext.Current.CancellationToken);
        var endpoint = broker.Host.MetricsEndpoint!;
        using (var before = await s_http.GetAsync(endpoint, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await broker.DisposeAsync();

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => s_http.GetAsync(endpoint, TestContext.Current.CancellationToken));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);
    }

    [Fact]
    public async Task Without_the_config_the_broker_serves_no_metrics()
    {
        await using var broker = await RunnelBroker.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Null(broker.Host.MetricsEndpoint);
    }

    [Fact]
    public async Task A_bad_metrics_url_is_a_config_error()
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() => RunnelBroker.StartAsync(
            new RunnelBrokerOptions { Config = new Dictionary<string, string> { ["runnel.metrics.listener"] = "localhost:9404" } },
            TestContext.Current.CancellationToken));

        Assert.Equal(BrokerConfigs.RunnelMetricsListener, Assert.Single(error.Errors).Name);
        Assert.Contains("expected http://host:port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metrics_port_in_use_fails_the_start()
    {
        var port = Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var error = await Assert.ThrowsAsync<SocketException>(() => RunnelBroker.StartAsync(
            new RunnelBrokerOptions { Config = new Dictionary<string, string> { ["runnel.metrics.listener"] = "http://127.0.0.1:" + port } },
            TestContext.Current.CancellationToken));

        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    /// <summary>The value of the sample line that starts with <paramref name="series"/> (name and labels).</summary>
    internal static double SampleValue(string text, string series)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new Xunit.Sdk.XunitException($"No sample {series} in:\n{text}");
    }

    private async Task<string> SendRawAsync(byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Endpoint.Host, Endpoint.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(request, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return await Eventually.WithinAsync(reader.ReadToEndAsync(TestContext.Current.CancellationToken), "the metrics endpoint's answer");
    }
}
