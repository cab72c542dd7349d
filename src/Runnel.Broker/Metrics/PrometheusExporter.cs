using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Metrics;

/// <summary>
/// Listens to one <see cref="Meter"/> (the broker's) and, when asked, to the .NET runtime's few
/// garbage collector and JIT compiler instruments in <see cref="RuntimeInstrumentNames"/> (meter <c>System.Runtime</c>,
/// built into .NET 9 and later), and renders them in the Prometheus text exposition format 0.0.4,
/// named by <see cref="PrometheusNames"/>, tags as labels, with <c># HELP</c> (the instrument's
/// description) and <c># TYPE</c> lines.
/// <list type="bullet">
/// <item>Counters and observable counters are <c>counter</c>s; up-down counters, gauges and their
/// observable forms are <c>gauge</c>s. Synchronous counters and up-down counters are summed here
/// from the moment the exporter starts (one never recorded with tags is exported at 0 before its
/// first increment, as Prometheus client libraries do); a synchronous gauge reports its last value;
/// observable instruments are called at each <see cref="Collect"/> and report what they return
/// then, so a series they stop returning (a deleted partition) disappears.</item>
/// <item>Histograms are <c>histogram</c>s: cumulative <c>_bucket</c> series at the bucket bounds the
/// instrument advises (<see cref="InstrumentAdvice{T}.HistogramBucketBoundaries"/>; OpenTelemetry's
/// default bounds otherwise) plus <c>+Inf</c>, <c>_sum</c> and <c>_count</c>, summed from the moment
/// the exporter starts.</item>
/// </list>
/// Why not OpenTelemetry's Prometheus exporter: see <see cref="MetricsServer"/>.
/// <para>The runtime instruments are observable counters: the runtime reads them (GC.CollectionCount,
/// GC.GetTotalAllocatedBytes, GC.GetTotalPauseDuration) only when <see cref="Collect"/> asks, so
/// exporting them costs the request path nothing. They describe the whole process: brokers sharing
/// a process (tests, embedded use) all report the same values.</para>
/// Lifecycle: listens from construction until <see cref="Dispose"/>. Concurrency: measurements
/// arrive on any thread without locks (a tagless counter is one interlocked add; a measurement with
/// one tag finds its series without allocating, so the request path pays nothing more); collections are serialized by one lock, because observable callbacks
/// write into shared per-collection state.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    /// <summary>The exposition format's content type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The runtime meter's name (.NET 9+ built-in metrics).</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// The <c>System.Runtime</c> instruments exported with <c>exportRuntimeMetrics</c>: collections per
    /// generation (exclusive counts, tag <c>gc.heap.generation</c> = gen0, gen1, gen2), bytes
    /// allocated since the process started, total GC pause time in seconds, and the methods the JIT
    /// compiled and the time it took (what ReadyToRun left to compile: a fresh broker's first
    /// requests pay for it). What <c>runnel perf --metrics-url</c> reads; the runtime's other
    /// instruments are left out to keep a scrape small.
    /// </summary>
    public static readonly IReadOnlySet<string> RuntimeInstrumentNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "dotnet.gc.collections",
        "dotnet.gc.heap.total_allocated",
        "dotnet.gc.pause.time",
        "dotnet.jit.compiled_methods",
        "dotnet.jit.compilation.time",
    };

    private readonly Meter _meter;
    private readonly bool _exportRuntimeMetrics;
    private readonly ILogger _logger;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, ExportedInstrument> _instruments = new();
    private readonly Lock _collectLock = new();

    /// <param name="meter">The broker's meter: only this meter object's instruments are exported.</param>
    /// <param name="logger">Where failing observable callbacks are logged.</param>
    /// <param name="exportRuntimeMetrics">Also export <see cref="RuntimeInstrumentNames"/>.</param>
    public PrometheusExporter(Meter meter, ILogger logger, bool exportRuntimeMetrics = false)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(logger);
        _meter = meter;
        _exportRuntimeMetrics = exportRuntimeMetrics;
        _logger = logger;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out ExportedInstrument? _),
        };

        // Static lambdas: no allocation per measurement. The state is the instrument's InstrumentState.
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record((double)value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((ExportedInstrument)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>
    /// Calls the observable instruments and returns every instrument's series as exposition text,
    /// metric families sorted by name. An observable callback that throws is logged and leaves out
    /// only what it did not report, so one broken gauge does not blank the endpoint.
    /// </summary>
    public string Collect()
    {
        lock (_collectLock)
        {
            foreach (ExportedInstrument state in _instruments.Values)
            {
                state.BeginCollection();
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException ex)
            {
                // MeterListener calls every observable instrument, then throws what the callbacks threw.
                Log.ObserveFailed(_logger, ex);
            }

            List<ExportedInstrument> states = [.. _instruments.Values];
            states.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var text = new StringBuilder();
            foreach (ExportedInstrument state in states)
            {
                state.WriteTo(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        // Several brokers can share a process (tests, embedded use), each with its own meter of the
        // same name: only this meter object's instruments are this broker's. The runtime's meter is
        // one per process.
        if (!(ReferenceEquals(instrument.Meter, _meter) || IsExportedRuntimeInstrument(instrument))
            || ExportedInstrument.TryCreate(instrument) is not { } state)
        {
            return;
        }

        _instruments[instrument] = state;
        listener.EnableMeasurementEvents(instrument, state);
    }

    private bool IsExportedRuntimeInstrument(Instrument instrument) =>
        _exportRuntimeMetrics
        && instrument.Meter.Name == RuntimeMeterName
        && RuntimeInstrumentNames.Contains(instrument.Name);

    /// <summary>Appends a sample value as the format writes it: <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c> or a round-trippable number.</summary>
    internal static void AppendValue(StringBuilder text, double value)
    {
        if (double.IsNaN(value))
        {
            text.Append("NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            text.Append("+Inf");
        }
        else if (double.IsNegativeInfinity(value))
        {
            text.Append("-Inf");
        }
        else
        {
            text.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Escapes a <c># HELP</c> text (backslash and line feed) or, with <paramref name="quote"/>, a label value (also <c>"</c>).</summary>
    internal static void AppendEscaped(StringBuilder text, string value, bool quote)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '\n':
                    text.Append(@"\n");
                    break;
                case '"' when quote:
                    text.Append("\\\"");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
    }
}
