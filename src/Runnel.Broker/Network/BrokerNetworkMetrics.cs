using System.Diagnostics.Metrics;
using Runnel.Protocol;

namespace Runnel.Broker.Network;

/// <summary>Connection and request counters and the request-time histogram, published on the broker's meter.</summary>
public sealed class BrokerNetworkMetrics
{
    private readonly Counter<long> _connectionsAccepted;
    private readonly Counter<long> _connectionsRejected;
    private readonly Counter<long> _badRequests;
    private readonly Histogram<double> _requestTime;
    private long _active;

    /// <summary>The request label of each API key (null: not served, labelled <c>unknown</c>), made once so a measurement allocates nothing.</summary>
    private static readonly string?[] s_requestLabels = CreateRequestLabels();

    /// <summary>
    /// Upper bounds of the request-time buckets, in seconds: 100 µs to 10 s, about three per decade,
    /// from a tail read of a few hundred microseconds to a long poll's <c>fetch.max.wait.ms</c> (500 ms by default).
    /// </summary>
    public static readonly IReadOnlyList<double> RequestTimeBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// Requests per API key, counted with one interlocked increment on the request path and read by
    /// the exporter when it collects (Kafka's <c>RequestMetrics RequestsPerSec</c> per request type);
    /// the last slot counts keys outside the table.
    /// </summary>
    private readonly long[] _requestsByApiKey = new long[MaxCountedApiKey + 2];

    /// <summary>API keys up to this get their own series; Kafka's keys end in the 70s.</summary>
    private const int MaxCountedApiKey = 127;

    public BrokerNetworkMetrics(Meter meter)
    {
        // The descriptions are the HELP text of the Prometheus endpoint.
        _connectionsAccepted = meter.CreateCounter<long>("runnel.network.connections.accepted",
            description: "Client connections accepted.");
        _connectionsRejected = meter.CreateCounter<long>("runnel.network.connections.rejected",
            description: "Client connections closed on accept because max.connections was reached.");
        _badRequests = meter.CreateCounter<long>("runnel.network.requests.malformed",
            description: "Connections closed for a request the broker could not serve (bad frame, header or version).");
        meter.CreateObservableCounter("runnel.network.requests", ObserveRequests,
            description: "Requests received, by API (the request label: Produce, Fetch, ...).");
        meter.CreateObservableGauge("runnel.network.connections.active", () => Interlocked.Read(ref _active),
            description: "Client connections open now.");
        _requestTime = meter.CreateHistogram("runnel.network.request.time", unit: "s",
            description: "Time from a request's bytes arriving to its response handed to the socket, by API (the request label), Kafka's RequestMetrics TotalTimeMs.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestTimeBuckets });
    }

    public long ActiveConnections => Interlocked.Read(ref _active);

    public long BadRequestCount => Interlocked.Read(ref _badRequestCount);

    private long _badRequestCount;

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _active);
        _connectionsAccepted.Add(1);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _active);

    public void ConnectionRejected() => _connectionsRejected.Add(1);

    public void BadRequest()
    {
        Interlocked.Increment(ref _badRequestCount);
        _badRequests.Add(1);
    }

    /// <summary>Counts a request whose header names <paramref name="apiKey"/> (any value a client sent).</summary>
    public void Request(short apiKey) =>
        Interlocked.Increment(ref _requestsByApiKey[apiKey is >= 0 and <= MaxCountedApiKey ? apiKey : MaxCountedApiKey + 1]);

    /// <summary>Records how long a served request took, from its bytes arriving to its response handed to the socket (or, without a response, to its end).</summary>
    public void RequestCompleted(short apiKey, TimeSpan elapsed)
    {
        if (_requestTime.Enabled)
        {
            var label = apiKey is >= 0 and <= MaxCountedApiKey ? s_requestLabels[apiKey] : null;
            _requestTime.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("request", label ?? "unknown"));
        }
    }

    /// <summary>Requests counted so far for <paramref name="apiKey"/>.</summary>
    public long RequestCount(ApiKey apiKey) => Interlocked.Read(ref _requestsByApiKey[(int)apiKey]);

    private static string?[] CreateRequestLabels()
    {
        var labels = new string?[MaxCountedApiKey + 1];
        foreach (var key in Enum.GetValues<ApiKey>())
        {
            if ((int)key is >= 0 and <= MaxCountedApiKey)
            {
                labels[(int)key] = key.ToString();
            }
        }

        return labels;
    }

    private IEnumerable<Measurement<long>> ObserveRequests()
    {
        var unknown = 0L;
        for (var key = 0; key < _requestsByApiKey.Length; key++)
        {
            var count = Interlocked.Read(ref _requestsByApiKey[key]);
            if (count == 0)
            {
                continue;
            }

            if (key <= MaxCountedApiKey && s_requestLabels[key] is { } label)
            {
                yield return new Measurement<long>(count, new KeyValuePair<string, object?>("request", label));
            }
            else
            {
                unknown += count; // keys this build does not serve, one series for all
            }
        }

        if (unknown > 0)
        {
            yield return new Measurement<long>(unknown, new KeyValuePair<string, object?>("request", "unknown"));
        }
    }
}
