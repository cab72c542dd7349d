using System.Net;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Metrics;

/// <summary>
/// Reads a broker's Prometheus endpoint for the tools (<c>topics describe --metrics-url</c>,
/// <c>perf produce|consume|e2e --metrics-url</c>). Every
/// failure is a <see cref="ToolException"/> whose message says what went wrong in one line.
/// </summary>
internal static class MetricsScrape
{
    /// <summary>
    /// The URL to scrape: <paramref name="text"/> when it names a path, else its root with
    /// <c>/metrics</c> (so <c>http://127.0.0.1:9404</c>, the <c>runnel.metrics.listener</c> value,
    /// works as well as the full endpoint).
    /// </summary>
    public static Uri ResolveUrl(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ToolException($"Error: --metrics-url {text} is not an http:// or https:// URL (for example http://127.0.0.1:9404/metrics).");
        }

        return url.AbsolutePath == "/" ? new Uri(url, "/metrics") : url;
    }

    /// <summary>
    /// GETs <paramref name="url"/> synchronously (HttpClient's blocking <c>Send</c>, not a wait on a
    /// task) and parses the Prometheus text it answers with; for the perf tools, whose runs are synchronous.
    /// </summary>
    public static List<PrometheusSample> Read(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using HttpClient http = new() { Timeout = timeout };
        string text;
        try
        {
            using HttpRequestMessage request = new(HttpMethod.Get, url);
            using HttpResponseMessage response = http.Send(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new ToolException($"Error: cannot read metrics from {url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            using StreamReader reader = new(response.Content.ReadAsStream(cancellationToken));
            text = reader.ReadToEnd();
        }
        catch (HttpRequestException e)
        {
            throw new ToolException($"Error: cannot read metrics from {url}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ToolException($"Error: cannot read metrics from {url}: no answer within {timeout.TotalSeconds} s.", e);
        }

        return Parse(url, text);
    }

    /// <summary>GETs <paramref name="url"/> and parses the Prometheus text it answers with.</summary>
    public static async Task<List<PrometheusSample>> ReadAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using HttpClient http = new() { Timeout = timeout };
        string text;
        try
        {
            using HttpResponseMessage response = await http.GetAsync(url, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new ToolException($"Error: cannot read metrics from {url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ToolException($"Error: cannot read metrics from {url}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ToolException($"Error: cannot read metrics from {url}: no answer within {timeout.TotalSeconds} s.", e);
        }

        return Parse(url, text);
    }

    private static List<PrometheusSample> Parse(Uri url, string text)
    {
        try
        {
            return PrometheusTextParser.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ToolException($"Error: {url} did not answer with Prometheus text: {e.Message}", e);
        }
    }
}
