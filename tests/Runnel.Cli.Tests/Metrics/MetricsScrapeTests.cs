using Runnel.Cli.Kafka;
using Runnel.Cli.Metrics;

namespace Runnel.Cli.Tests.Metrics;

public class MetricsScrapeTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9404", "http://127.0.0.1:9404/metrics")]
    [InlineData("http://127.0.0.1:9404/", "http://127.0.0.1:9404/metrics")]
    [InlineData("http://127.0.0.1:9404/metrics", "http://127.0.0.1:9404/metrics")]
    [InlineData("https://proxy.example/runnel/metrics?x=1", "https://proxy.example/runnel/metrics?x=1")]
    public void A_url_without_a_path_scrapes_slash_metrics(string text, string expected)
    {
        Assert.Equal(new Uri(expected), MetricsScrape.ResolveUrl(text));
    }

    [Theory]
    [InlineData("localhost:9404")]
    [InlineData("127.0.0.1:9404")]
    [InlineData("ftp://host/metrics")]
    [InlineData("/metrics")]
    public void Anything_but_an_http_url_is_refused(string text)
    {
        ToolException error = Assert.Throws<ToolException>(() => MetricsScrape.ResolveUrl(text));

        Assert.Equal($"Error: --metrics-url {text} is not an http:// or https:// URL (for example http://127.0.0.1:9404/metrics).", error.Message);
    }
}
