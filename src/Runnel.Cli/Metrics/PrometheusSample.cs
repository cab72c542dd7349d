namespace Runnel.Cli.Metrics;

/// <summary>One sample line of a Prometheus text exposition: metric name, labels, value and optional timestamp.</summary>
/// <param name="Name">The metric name as written, e.g. <c>runnel_network_requests_total</c>.</param>
/// <param name="Labels">Label names to unescaped values; empty when the line has none.</param>
/// <param name="Value">The value; <c>NaN</c> and the infinities included.</param>
/// <param name="TimestampMs">Milliseconds since the Unix epoch when the line carries one.</param>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? TimestampMs = null)
{
    /// <summary>The value of <paramref name="label"/>, or null when the sample has no such label.</summary>
    public string? Label(string label) => Labels.TryGetValue(label, out string? value) ? value : null;
}
