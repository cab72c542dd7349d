using System.Globalization;
using Runnel.Cli.Metrics;

namespace Runnel.Cli.Perf;

/// <summary>
/// One API's request times as the broker exports them (<c>runnel_network_request_time_seconds</c>,
/// cumulative buckets by upper bound <c>le</c>, the last +Inf). A perf run scrapes them before and
/// after and reports percentiles of the difference as bucket upper bounds ("p99 ≤ 1 ms"): a
/// histogram knows no more precisely where in a bucket a request fell.
/// </summary>
/// <param name="UpperBounds">Bucket upper bounds in seconds, ascending, the last +Inf.</param>
/// <param name="Cumulative">Requests at or below each bound.</param>
internal sealed record RequestTimeHistogram(double[] UpperBounds, double[] Cumulative)
{
    /// <summary>The broker's request-time buckets, labelled by API in <c>request</c> and by bound in <c>le</c>.</summary>
    public const string BucketMetric = "runnel_network_request_time_seconds_bucket";

    /// <summary>Requests counted (the +Inf bucket).</summary>
    public double Count => Cumulative.Length == 0 ? 0 : Cumulative[^1];

    /// <summary>Each API's histogram in a scrape; empty when the broker exports none.</summary>
    public static Dictionary<string, RequestTimeHistogram> FromSamples(IEnumerable<PrometheusSample> samples)
    {
        var buckets = new Dictionary<string, List<(double Bound, double Count)>>(StringComparer.Ordinal);
        foreach (PrometheusSample sample in samples)
        {
            if (sample.Name != BucketMetric || sample.Label("request") is not { } api || sample.Label("le") is not { } le)
            {
                continue;
            }

            double bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!buckets.TryGetValue(api, out List<(double Bound, double Count)>? list))
            {
                buckets[api] = list = [];
            }

            list.Add((bound, sample.Value));
        }

        var result = new Dictionary<string, RequestTimeHistogram>(StringComparer.Ordinal);
        foreach ((string api, List<(double Bound, double Count)> list) in buckets)
        {
            list.Sort(static (a, b) => a.Bound.CompareTo(b.Bound));
            result[api] = new RequestTimeHistogram([.. list.Select(b => b.Bound)], [.. list.Select(b => b.Count)]);
        }

        return result;
    }

    /// <summary>The requests between <paramref name="earlier"/> and this scrape (the same buckets; none earlier counts as zero).</summary>
    public RequestTimeHistogram Minus(RequestTimeHistogram? earlier)
    {
        if (earlier is null || !earlier.UpperBounds.AsSpan().SequenceEqual(UpperBounds))
        {
            return this;
        }

        var cumulative = new double[Cumulative.Length];
        for (int i = 0; i < cumulative.Length; i++)
        {
            cumulative[i] = Cumulative[i] - earlier.Cumulative[i];
        }

        return this with { Cumulative = cumulative };
    }

    /// <summary>The upper bound of the bucket that holds the <paramref name="quantile"/> (0–1) of the requests; +Inf past the last bound.</summary>
    public double Percentile(double quantile)
    {
        double target = quantile * Count;
        for (int i = 0; i < Cumulative.Length; i++)
        {
            if (Cumulative[i] >= target)
            {
                return UpperBounds[i];
            }
        }

        return double.PositiveInfinity;
    }
}
