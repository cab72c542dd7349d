using Runnel.Cli.Kafka;
using Runnel.Cli.Metrics;

namespace Runnel.Cli.Perf;

/// <summary>
/// The broker's .NET garbage collector counters as its Prometheus endpoint exports them (the
/// runtime's <c>System.Runtime</c> meter, see the broker's <c>PrometheusExporter</c>): collections
/// per generation, bytes allocated and GC pause time, all since the broker process started. A perf
/// run scrapes them before and after and reports the difference (<see cref="Minus"/>).
/// </summary>
/// <param name="Gen0Collections">gen0 collections (exclusive: a gen1 or gen2 collection is not also counted here).</param>
/// <param name="Gen1Collections">gen1 collections (exclusive).</param>
/// <param name="Gen2Collections">gen2 (full) collections.</param>
/// <param name="PauseSeconds">Time the runtime was paused for collections.</param>
/// <param name="AllocatedBytes">Bytes allocated on the managed heap.</param>
/// <param name="Requests">
/// Requests received per API (<c>runnel_network_requests_total</c> by its <c>request</c> label, e.g.
/// Produce, Fetch); null when the broker does not export them.
/// </param>
/// <param name="RequestTimes">Request-time histograms per API; null when the broker does not export them.</param>
/// <param name="JitCompiledMethods">
/// Methods the JIT compiled (what ReadyToRun code did not cover); null when the broker does not export it.
/// </param>
/// <param name="JitSeconds">Time spent compiling them; null when the broker does not export it.</param>
internal sealed record BrokerRuntimeCounters(
    double Gen0Collections,
    double Gen1Collections,
    double Gen2Collections,
    double PauseSeconds,
    double AllocatedBytes,
    IReadOnlyDictionary<string, double>? Requests = null,
    IReadOnlyDictionary<string, RequestTimeHistogram>? RequestTimes = null,
    double? JitCompiledMethods = null,
    double? JitSeconds = null)
{
    /// <summary>The broker's request counter, labelled by API name in <c>request</c>.</summary>
    public const string RequestsMetric = "runnel_network_requests_total";

    /// <summary><c>dotnet.gc.collections</c>, labelled by <c>gc_heap_generation</c> (gen0, gen1, gen2).</summary>
    public const string CollectionsMetric = "dotnet_gc_collections_total";

    /// <summary><c>dotnet.gc.heap.total_allocated</c> (bytes).</summary>
    public const string AllocatedMetric = "dotnet_gc_heap_total_allocated_bytes_total";

    /// <summary><c>dotnet.gc.pause.time</c> (seconds).</summary>
    public const string PauseMetric = "dotnet_gc_pause_time_seconds_total";

    /// <summary><c>dotnet.jit.compiled_methods</c>.</summary>
    public const string JitMethodsMetric = "dotnet_jit_compiled_methods_total";

    /// <summary><c>dotnet.jit.compilation.time</c> (seconds).</summary>
    public const string JitTimeMetric = "dotnet_jit_compilation_time_seconds_total";

    /// <summary>
    /// Picks the counters out of a scrape. Throws <see cref="ToolException"/> when the endpoint
    /// exports none of them (a broker from before they were exported, or not a Runnel broker).
    /// </summary>
    public static BrokerRuntimeCounters FromSamples(IReadOnlyList<PrometheusSample> samples, Uri source)
    {
        ArgumentNullException.ThrowIfNull(samples);
        double gen0 = 0, gen1 = 0, gen2 = 0, pause = 0, allocated = 0;
        double? jitMethods = null, jitSeconds = null;
        bool found = false;
        var requests = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (PrometheusSample sample in samples)
        {
            switch (sample.Name)
            {
                case CollectionsMetric:
                    found = true;
                    switch (sample.Label("gc_heap_generation"))
                    {
                        case "gen0":
                            gen0 = sample.Value;
                            break;
                        case "gen1":
                            gen1 = sample.Value;
                            break;
                        case "gen2":
                            gen2 = sample.Value;
                            break;
                    }

                    break;
                case AllocatedMetric:
                    found = true;
                    allocated = sample.Value;
                    break;
                case PauseMetric:
                    found = true;
                    pause = sample.Value;
                    break;
                case JitMethodsMetric:
                    jitMethods = sample.Value;
                    break;
                case JitTimeMetric:
                    jitSeconds = sample.Value;
                    break;
                case RequestsMetric when sample.Label("request") is { } api:
                    requests[api] = sample.Value;
                    break;
            }
        }

        Dictionary<string, RequestTimeHistogram> times = RequestTimeHistogram.FromSamples(samples);
        return found
            ? new BrokerRuntimeCounters(gen0, gen1, gen2, pause, allocated, requests.Count > 0 ? requests : null, times.Count > 0 ? times : null, jitMethods, jitSeconds)
            : throw new ToolException($"Error: {source} exports no {CollectionsMetric}, {AllocatedMetric} or {PauseMetric}: is it a Runnel broker's metrics endpoint (runnel.metrics.listener)?");
    }

    /// <summary>What happened between <paramref name="earlier"/> and this scrape.</summary>
    public BrokerRuntimeCounters Minus(BrokerRuntimeCounters earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new BrokerRuntimeCounters(
            Gen0Collections - earlier.Gen0Collections,
            Gen1Collections - earlier.Gen1Collections,
            Gen2Collections - earlier.Gen2Collections,
            PauseSeconds - earlier.PauseSeconds,
            AllocatedBytes - earlier.AllocatedBytes,
            Requests is null ? null : RequestsSince(Requests, earlier.Requests),
            RequestTimes is null ? null : TimesSince(RequestTimes, earlier.RequestTimes),
            JitCompiledMethods - earlier.JitCompiledMethods,
            JitSeconds - earlier.JitSeconds);
    }

    /// <summary>Request times per API since <paramref name="earlier"/>; APIs with no request in between left out.</summary>
    private static Dictionary<string, RequestTimeHistogram> TimesSince(
        IReadOnlyDictionary<string, RequestTimeHistogram> now, IReadOnlyDictionary<string, RequestTimeHistogram>? earlier)
    {
        var since = new Dictionary<string, RequestTimeHistogram>(StringComparer.Ordinal);
        foreach (var (api, histogram) in now)
        {
            var delta = histogram.Minus(earlier?.GetValueOrDefault(api));
            if (delta.Count > 0)
            {
                since[api] = delta;
            }
        }

        return since;
    }

    /// <summary>Requests per API since <paramref name="earlier"/>; APIs with none left out (an API first seen now started at 0).</summary>
    private static Dictionary<string, double> RequestsSince(IReadOnlyDictionary<string, double> now, IReadOnlyDictionary<string, double>? earlier)
    {
        var since = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (api, count) in now)
        {
            var delta = count - (earlier?.GetValueOrDefault(api) ?? 0);
            if (delta > 0)
            {
                since[api] = delta;
            }
        }

        return since;
    }
}
