using System.Text.Json;

namespace Runnel.Compat.Infrastructure;

/// <summary>Parses the JSON-lines output of the client scripts (one object per line; other lines are ignored).</summary>
public static class JsonLines
{
    public static IReadOnlyList<JsonElement> Parse(string output)
    {
        var result = new List<JsonElement>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith('{'))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                result.Add(document.RootElement.Clone());
            }
            catch (JsonException)
            {
                // Not one of ours (a library printing to stdout); it stays visible in the transcript.
            }
        }

        return result;
    }

    /// <summary>The objects whose "event" property equals <paramref name="name"/>.</summary>
    public static IEnumerable<JsonElement> Events(this IEnumerable<JsonElement> lines, string name) =>
        lines.Where(l => l.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String && e.GetString() == name);

    public static string? GetStringOrNull(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
