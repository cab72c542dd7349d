using System.Globalization;
using System.Text.Json;

namespace Runnel.Cli.Perf;

/// <summary>
/// <c>--print-metrics</c>: prints the client's last librdkafka statistics (STATISTICS.md) as a
/// <c>name : value</c> table, as Kafka's tools print their client metrics at the end of a run. Shown:
/// the top-level counters, per broker (not bootstrap entries) its request, error and latency figures,
/// and per topic its batch sizes. Window statistics show avg, p99 and max.
/// </summary>
internal static class ClientStatistics
{
    private static readonly string[] s_windowFields = ["avg", "p99", "max"];

    public static void Print(TextWriter output, string? json)
    {
        if (json is null)
        {
            output.WriteLine("No client statistics were reported (statistics.interval.ms may be too long for this run).");
            return;
        }

        SortedDictionary<string, string> metrics = Flatten(json);
        int width = 0;
        foreach (string name in metrics.Keys)
        {
            width = Math.Max(width, name.Length);
        }

        output.WriteLine();
        output.WriteLine("Metric Name".PadRight(width) + " : Value");
        foreach ((string name, string value) in metrics)
        {
            output.WriteLine(name.PadRight(width) + " : " + value);
        }
    }

    internal static SortedDictionary<string, string> Flatten(string json)
    {
        SortedDictionary<string, string> metrics = new(StringComparer.Ordinal);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        string client = root.TryGetProperty("client_id", out JsonElement id) ? id.GetString() ?? "client" : "client";

        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Number && property.Name is not ("ts" or "time" or "age"))
            {
                metrics[$"{client}:{property.Name}"] = Number(property.Value);
            }
        }

        if (root.TryGetProperty("brokers", out JsonElement brokers))
        {
            foreach (JsonProperty broker in brokers.EnumerateObject())
            {
                if (broker.Value.TryGetProperty("nodeid", out JsonElement nodeId) && nodeId.GetInt32() < 0)
                {
                    continue;
                }

                AddObject(metrics, $"{client}:broker-{broker.Value.GetProperty("nodeid").GetInt32()}", broker.Value, exclude: "toppars");
            }
        }

        if (root.TryGetProperty("topics", out JsonElement topics))
        {
            foreach (JsonProperty topic in topics.EnumerateObject())
            {
                AddObject(metrics, $"{client}:topic-{topic.Name}", topic.Value, exclude: "partitions");
            }
        }

        return metrics;
    }

    private static void AddObject(SortedDictionary<string, string> metrics, string prefix, JsonElement element, string exclude)
    {
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (property.Name == exclude || property.Name is "nodeid" or "ts" or "age")
            {
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Number)
            {
                metrics[$"{prefix}:{property.Name}"] = Number(property.Value);
            }
            else if (property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (string field in s_windowFields)
                {
                    if (property.Value.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.Number)
                    {
                        metrics[$"{prefix}:{property.Name}-{field}"] = Number(value);
                    }
                }
            }
        }
    }

    private static string Number(JsonElement value) =>
        value.TryGetInt64(out long integer)
            ? integer.ToString(CultureInfo.InvariantCulture)
            : value.GetDouble().ToString("0.###", CultureInfo.InvariantCulture);
}
