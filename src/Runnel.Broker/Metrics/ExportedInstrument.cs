using System.Diagnostics.Metrics;
using System.Text;

namespace Runnel.Broker.Metrics;

/// <summary>
/// One instrument as the exporter keeps it: its Prometheus name, its series per tag set, and how it
/// renders as a metric family. Measurements arrive on any thread; <see cref="BeginCollection"/> and
/// <see cref="WriteTo"/> run under the exporter's collection lock.
/// </summary>
internal abstract class ExportedInstrument
{
    protected ExportedInstrument(Instrument instrument, string name)
    {
        Name = name;
        Help = string.IsNullOrEmpty(instrument.Description) ? null : instrument.Description;
        IsObservable = instrument.IsObservable;
    }

    public string Name { get; }

    protected string? Help { get; }

    protected bool IsObservable { get; }

    /// <summary>The exported form of an instrument kind this exporter serves, or null.</summary>
    public static ExportedInstrument? TryCreate(Instrument instrument)
    {
        Type type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        Type kind = type.GetGenericTypeDefinition();
        if (kind == typeof(Counter<>))
        {
            return new SumOrLastValueInstrument(instrument, isCounter: true, sums: true);
        }

        if (kind == typeof(UpDownCounter<>))
        {
            return new SumOrLastValueInstrument(instrument, isCounter: false, sums: true);
        }

        if (kind == typeof(ObservableCounter<>))
        {
            return new SumOrLastValueInstrument(instrument, isCounter: true, sums: false);
        }

        if (kind == typeof(Gauge<>) || kind == typeof(ObservableGauge<>) || kind == typeof(ObservableUpDownCounter<>))
        {
            return new SumOrLastValueInstrument(instrument, isCounter: false, sums: false);
        }

        if (kind == typeof(Histogram<>))
        {
            return new HistogramInstrument(instrument);
        }

        return null;
    }

    /// <summary>Observable instruments report afresh at each collection: forget the last one's series.</summary>
    public abstract void BeginCollection();

    public abstract void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>Appends the metric family (nothing when it has no series to show).</summary>
    public abstract void WriteTo(StringBuilder text);

    protected void WriteHeader(StringBuilder text, string type)
    {
        if (Help is not null)
        {
            text.Append("# HELP ").Append(Name).Append(' ');
            PrometheusExporter.AppendEscaped(text, Help, quote: false);
            text.Append('\n');
        }

        text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
    }
}
