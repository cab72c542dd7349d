using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Runnel.Broker.Metrics;

/// <summary>
/// A histogram (<c>histogram</c>): per series, a count per bucket, the sum and the count, exported
/// as cumulative <c>_bucket{le="…"}</c> series (the last <c>le="+Inf"</c>), <c>_sum</c> and
/// <c>_count</c>. The bucket upper bounds are the instrument's advice, or OpenTelemetry's default
/// explicit bounds; a value equal to a bound falls in that bound's bucket (<c>le</c>: less or equal).
/// </summary>
internal sealed class HistogramInstrument : ExportedInstrument
{
    /// <summary>OpenTelemetry's default explicit bucket bounds, for a histogram that advises none.</summary>
    private static readonly double[] s_defaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly SeriesSet<HistogramSeries> _series = new();
    private readonly double[] _bounds;
    private readonly string[] _boundLabels;

    public HistogramInstrument(Instrument instrument)
        : base(instrument, PrometheusNames.MetricName(instrument.Name, instrument.Unit, isCounter: false))
    {
        _bounds = AdvisedBounds(instrument) ?? s_defaultBounds;
        _boundLabels = new string[_bounds.Length];
        for (int i = 0; i < _bounds.Length; i++)
        {
            var label = new StringBuilder();
            PrometheusExporter.AppendValue(label, _bounds[i]);
            _boundLabels[i] = label.ToString();
        }
    }

    public override void BeginCollection()
    {
    }

    public override void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) => Record((double)value, tags);

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // The first bound at or above the value; past the last, the +Inf bucket.
        int bucket = Array.BinarySearch(_bounds, value);
        if (bucket < 0)
        {
            bucket = ~bucket;
        }

        _series.For(tags).Record(bucket, _bounds.Length + 1, value);
    }

    public override void WriteTo(StringBuilder text)
    {
        List<KeyValuePair<string, HistogramSeries>> tagged = _series.SortedTagged();
        bool untagged = _series.Untagged.Count > 0 || tagged.Count == 0;
        WriteHeader(text, "histogram");
        if (untagged)
        {
            WriteSeries(text, string.Empty, _series.Untagged);
        }

        foreach ((string labels, HistogramSeries series) in tagged)
        {
            WriteSeries(text, labels, series);
        }
    }

    private void WriteSeries(StringBuilder text, string labels, HistogramSeries series)
    {
        // Read the buckets first: the count written is at least their sum, never below it.
        long cumulative = 0;
        for (int i = 0; i <= _bounds.Length; i++)
        {
            cumulative += series.BucketCount(i);
            text.Append(Name).Append("_bucket{");
            if (labels.Length > 0)
            {
                text.Append(labels).Append(',');
            }

            text.Append("le=\"").Append(i < _bounds.Length ? _boundLabels[i] : "+Inf").Append("\"} ")
                .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        string braces = labels.Length > 0 ? "{" + labels + "}" : string.Empty;
        text.Append(Name).Append("_sum").Append(braces).Append(' ');
        PrometheusExporter.AppendValue(text, series.Sum);
        text.Append('\n');
        text.Append(Name).Append("_count").Append(braces).Append(' ')
            .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static double[]? AdvisedBounds(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<short> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<byte> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<decimal> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };
}
