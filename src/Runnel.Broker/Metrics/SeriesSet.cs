using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Runnel.Broker.Metrics;

/// <summary>
/// An instrument's series: one without tags and one per tag set, keyed by the rendered labels
/// (sorted by name, values escaped). A measurement with a single tag, the request path's case
/// (<c>request="Produce"</c>), finds its series through a cache keyed by that tag's name and value
/// without allocating; other tag sets render their labels on every measurement, which only
/// observable instruments (read at scrape time) do.
/// </summary>
internal sealed class SeriesSet<TSeries>
    where TSeries : class, new()
{
    private readonly ConcurrentDictionary<string, TSeries> _tagged = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Key, object? Value), TSeries> _bySingleTag = new();

    public TSeries Untagged { get; private set; } = new();

    public bool HasTagged => !_tagged.IsEmpty;

    public TSeries For(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return Untagged;
        }

        if (tags.Length == 1)
        {
            var key = (tags[0].Key, tags[0].Value);
            if (_bySingleTag.TryGetValue(key, out TSeries? cached))
            {
                return cached;
            }

            TSeries series = _tagged.GetOrAdd(Labels(tags), static _ => new TSeries());
            _bySingleTag.TryAdd(key, series);
            return series;
        }

        return _tagged.GetOrAdd(Labels(tags), static _ => new TSeries());
    }

    /// <summary>The tagged series by label text, sorted.</summary>
    public List<KeyValuePair<string, TSeries>> SortedTagged()
    {
        List<KeyValuePair<string, TSeries>> tagged = [.. _tagged];
        tagged.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return tagged;
    }

    /// <summary>Drops every series (an observable instrument's collection starts afresh).</summary>
    public void Clear()
    {
        Untagged = new TSeries();
        _bySingleTag.Clear();
        _tagged.Clear();
    }

    /// <summary>The label text of a tag set: <c>name="value"</c> pairs sorted by name, comma-separated.</summary>
    internal static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
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
            PrometheusExporter.AppendEscaped(labels, FormatTag(value), quote: true);
            labels.Append('"');
        }

        return labels.ToString();
    }

    private static string FormatTag(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
