using System.Diagnostics.Metrics;
using System.Text;

namespace Runnel.Broker.Metrics;

/// <summary>
/// A counter (<c>counter</c>) or up-down counter, gauge or observable instrument (<c>gauge</c>): one
/// value per series, a sum or the last value.
/// </summary>
internal sealed class SumOrLastValueInstrument : ExportedInstrument
{
    private readonly SeriesSet<SumOrLastValue> _series = new();
    private readonly bool _sums;
    private readonly string _type;

    public SumOrLastValueInstrument(Instrument instrument, bool isCounter, bool sums)
        : base(instrument, PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter))
    {
        _type = isCounter ? "counter" : "gauge";
        _sums = sums;
    }

    public override void BeginCollection()
    {
        if (IsObservable)
        {
            _series.Clear();
        }
    }

    public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => _series.For(tags).Record(value, _sums);

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => _series.For(tags).Record(value, _sums);

    public override void WriteTo(StringBuilder text)
    {
        // A synchronous sum that is not recorded with tags exists from the start (value 0).
        List<KeyValuePair<string, SumOrLastValue>> tagged = _series.SortedTagged();
        bool untagged = _series.Untagged.HasValue || (_sums && !IsObservable && tagged.Count == 0);
        if (!untagged && tagged.Count == 0)
        {
            return;
        }

        WriteHeader(text, _type);
        if (untagged)
        {
            _series.Untagged.WriteTo(text.Append(Name).Append(' '));
            text.Append('\n');
        }

        foreach ((string labels, SumOrLastValue series) in tagged)
        {
            text.Append(Name).Append('{').Append(labels).Append("} ");
            series.WriteTo(text);
            text.Append('\n');
        }
    }
}
