using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Metrics;

/// <summary>
/// Listens to one <see cref="Meter"/> (the broker's) and, when asked, to the .NET runtime's few
/// garbage collector instruments in <see cref="RuntimeInstrumentNames"/> (meter <c>System.Runtime</c>,
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
/// <item>Histograms are not exported: the broker publishes none, and their bucket layout is a
/// decision for when one exists.</item>
/// </list>
/// Why not OpenTelemetry's Prometheus exporter: see <see cref="MetricsServer"/>.
/// <para>The runtime instruments are observable counters: the runtime reads them (GC.CollectionCount,
/// GC.GetTotalAllocatedBytes, GC.GetTotalPauseDuration) only when <see cref="Collect"/> asks, so
/// exporting them costs the request path nothing. They describe the whole process: brokers sharing
/// a process (tests, embedded use) all report the same values.</para>
/// Lifecycle: listens from construction until <see cref="Dispose"/>. Concurrency: measurements
/// arrive on any thread without locks (a tagless counter is one interlocked add, so the request
/// path pays nothing more); collections are serialized by one lock, because observable callbacks
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
    /// allocated since the process started, and total GC pause time in seconds. What
    /// <c>runnel perf --metrics-url</c> reads; the runtime's other instruments are left out to keep a
    /// scrape small.
    /// </summary>
    public static readonly IReadOnlySet<string> RuntimeInstrumentNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "dotnet.gc.collections",
        "dotnet.gc.heap.total_allocated",
        "dotnet.gc.pause.time",
    };

    private readonly Meter _meter;
    private readonly bool _exportRuntimeMetrics;
    private readonly ILogger _logger;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
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
            MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentState? _),
        };

        // Static lambdas: no allocation per measurement. The state is the instrument's InstrumentState.
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentState)state!).Record((double)value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentState)state!).Record((double)value, tags));
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
            foreach (InstrumentState state in _instruments.Values)
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

            List<InstrumentState> states = [.. _instruments.Values];
            states.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var text = new StringBuilder();
            foreach (InstrumentState state in states)
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
            || InstrumentState.TryCreate(instrument) is not { } state)
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

    /// <summary>One instrument: its Prometheus name and type, and one <see cref="Series"/> per tag set.</summary>
    private sealed class InstrumentState
    {
        private readonly Series _untagged = new();
        private readonly ConcurrentDictionary<string, Series> _tagged = new(StringComparer.Ordinal);
        private readonly bool _sums;
        private readonly bool _isObservable;
        private readonly string? _help;
        private readonly string _type;

        private InstrumentState(Instrument instrument, bool isCounter, bool sums)
        {
            Name = PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter);
            _type = isCounter ? "counter" : "gauge";
            _help = string.IsNullOrEmpty(instrument.Description) ? null : instrument.Description;
            _sums = sums;
            _isObservable = instrument.IsObservable;
        }

        public string Name { get; }

        /// <summary>The state for an instrument kind this exporter serves, or null (histograms).</summary>
        public static InstrumentState? TryCreate(Instrument instrument)
        {
            Type type = instrument.GetType();
            if (!type.IsGenericType)
            {
                return null;
            }

            Type kind = type.GetGenericTypeDefinition();
            if (kind == typeof(Counter<>))
            {
                return new InstrumentState(instrument, isCounter: true, sums: true);
            }

            if (kind == typeof(UpDownCounter<>))
            {
                return new InstrumentState(instrument, isCounter: false, sums: true);
            }

            if (kind == typeof(ObservableCounter<>))
            {
                return new InstrumentState(instrument, isCounter: true, sums: false);
            }

            if (kind == typeof(Gauge<>) || kind == typeof(ObservableGauge<>) || kind == typeof(ObservableUpDownCounter<>))
            {
                return new InstrumentState(instrument, isCounter: false, sums: false);
            }

            return null;
        }

        /// <summary>Observable instruments report afresh at each collection: forget the last one's series.</summary>
        public void BeginCollection()
        {
            if (_isObservable)
            {
                _untagged.Clear();
                _tagged.Clear();
            }
        }

        public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            (tags.IsEmpty ? _untagged : Tagged(tags)).Record(value, _sums);

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            (tags.IsEmpty ? _untagged : Tagged(tags)).Record(value, _sums);

        public void WriteTo(StringBuilder text)
        {
            // A synchronous sum that is not recorded with tags exists from the start (value 0).
            List<KeyValuePair<string, Series>> tagged = [.. _tagged];
            bool untagged = _untagged.HasValue || (_sums && !_isObservable && tagged.Count == 0);
            if (!untagged && tagged.Count == 0)
            {
                return;
            }

            if (_help is not null)
            {
                text.Append("# HELP ").Append(Name).Append(' ');
                AppendEscaped(text, _help, quote: false);
                text.Append('\n');
            }

            text.Append("# TYPE ").Append(Name).Append(' ').Append(_type).Append('\n');
            if (untagged)
            {
                _untagged.WriteTo(text.Append(Name).Append(' '));
                text.Append('\n');
            }

            tagged.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach ((string labels, Series series) in tagged)
            {
                text.Append(Name).Append('{').Append(labels).Append("} ");
                series.WriteTo(text);
                text.Append('\n');
            }
        }

        /// <summary>
        /// The series of a tag set, keyed by its rendered labels (sorted by name). This allocates,
        /// which is fine for observable instruments (read at scrape time) and would be worth a cache
        /// only if a tagged counter ever sat on the request path.
        /// </summary>
        private Series Tagged(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            KeyValuePair<string, object?>[] sorted = tags.ToArray();
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var labels = new StringBuilder();
            foreach ((string key, object? value) in sorted)
            {
                if (labels.Length > 0)
                {
                    labels.Append(',');
                }

                labels.Append(PrometheusNames.LabelName(key)).Append("=\"");
                AppendEscaped(labels, FormatTag(value), quote: true);
                labels.Append('"');
            }

            return _tagged.GetOrAdd(labels.ToString(), static _ => new Series());
        }

        private static string FormatTag(object? value) => value switch
        {
            null => string.Empty,
            bool b => b ? "true" : "false",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
    }

    /// <summary>
    /// One series' value: a sum (integral measurements exactly in a long, others in a double) or a
    /// last value. Updated lock-free from any thread.
    /// </summary>
    private sealed class Series
    {
        private long _integral;
        private double _floating;
        private int _hasValue;

        public bool HasValue => Volatile.Read(ref _hasValue) != 0;

        /// <summary>Adds <paramref name="value"/> to the sum when <paramref name="sums"/>, else makes it the last value.</summary>
        public void Record(long value, bool sums)
        {
            if (sums)
            {
                Interlocked.Add(ref _integral, value);
            }
            else
            {
                Volatile.Write(ref _floating, value);
            }

            Volatile.Write(ref _hasValue, 1);
        }

        /// <inheritdoc cref="Record(long, bool)"/>
        public void Record(double value, bool sums)
        {
            if (sums)
            {
                AddFloating(value);
            }
            else
            {
                Volatile.Write(ref _floating, value);
            }

            Volatile.Write(ref _hasValue, 1);
        }

        private void AddFloating(double value)
        {
            while (true)
            {
                double current = Volatile.Read(ref _floating);
                double seen = Interlocked.CompareExchange(ref _floating, current + value, current);

                // Compare bits, not values: NaN never equals itself and would spin forever.
                if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
                {
                    return;
                }
            }
        }

        public void Clear()
        {
            Volatile.Write(ref _hasValue, 0);
            Volatile.Write(ref _integral, 0);
            Volatile.Write(ref _floating, 0);
        }

        public void WriteTo(StringBuilder text)
        {
            long integral = Volatile.Read(ref _integral);
            double floating = Volatile.Read(ref _floating);
            if (floating == 0)
            {
                text.Append(integral.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                AppendValue(text, integral + floating);
            }
        }
    }
}
