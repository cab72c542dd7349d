using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Runnel.Broker.Metadata;

/// <summary>
/// Reads and writes <c>runnel-metadata.json</c> (docs/formats/metadata.md): reads with the JSON
/// document reader, writes the text itself. The serializer's type metadata, even source-generated,
/// cost the first broker start in a process ~20 ms to set up, for a document of five fields.
/// </summary>
internal static class MetadataFile
{
    /// <summary>What the file holds.</summary>
    internal sealed record Contents(int Version, int MinCompatibleVersion, string ClusterId, IReadOnlyList<TopicMetadata> Topics, long ProducerIdBlockEnd);

    /// <summary>The document for <paramref name="image"/>, indented UTF-8, topics in the image's order.</summary>
    /// <remarks>
    /// Written as text rather than with <c>Utf8JsonWriter</c>: the writer's first use in a process (its
    /// escaping tables and vectorised checks, which ReadyToRun does not precompile) took 13 ms for the first
    /// property and ~30 ms for this document, on the path of every broker's first start (bench/RESULTS.md,
    /// session 11). Every string goes through <see cref="AppendString"/>; the layout is the writer's.
    /// </remarks>
    public static byte[] Write(int version, int minCompatibleVersion, string clusterId, MetadataImage image)
    {
        var text = new StringBuilder(256 + (image.Topics.Count * 160));
        text.Append("{\n");
        AppendName(text, 1, "version").Append(version.ToString(CultureInfo.InvariantCulture)).Append(",\n");
        AppendName(text, 1, "minCompatibleVersion").Append(minCompatibleVersion.ToString(CultureInfo.InvariantCulture)).Append(",\n");
        AppendString(AppendName(text, 1, "clusterId"), clusterId).Append(",\n");
        AppendName(text, 1, "topics").Append('[');
        var firstTopic = true;
        foreach (TopicMetadata topic in image.Topics)
        {
            text.Append(firstTopic ? "\n" : ",\n").Append(' ', 4).Append("{\n");
            firstTopic = false;
            AppendString(AppendName(text, 3, "name"), topic.Name).Append(",\n");
            AppendString(AppendName(text, 3, "topicId"), topic.TopicId.ToString("D")).Append(",\n");
            AppendName(text, 3, "partitions").Append(topic.PartitionCount.ToString(CultureInfo.InvariantCulture)).Append(",\n");
            AppendName(text, 3, "configs").Append('{');
            var firstConfig = true;
            foreach ((string key, string value) in topic.Configs)
            {
                text.Append(firstConfig ? "\n" : ",\n").Append(' ', 8);
                firstConfig = false;
                AppendString(text, key).Append(": ");
                AppendString(text, value);
            }

            (firstConfig ? text : text.Append('\n').Append(' ', 6)).Append("}\n").Append(' ', 4).Append('}');
        }

        (firstTopic ? text : text.Append('\n').Append(' ', 2)).Append("],\n");
        AppendName(text, 1, "producerIdBlockEnd").Append(image.ProducerIdBlockEnd.ToString(CultureInfo.InvariantCulture)).Append("\n}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static StringBuilder AppendName(StringBuilder text, int depth, string name) =>
        AppendString(text.Append(' ', depth * 2), name).Append(": ");

    /// <summary>A JSON string (RFC 8259): quote, backslash and control characters escaped, the rest as is.</summary>
    private static StringBuilder AppendString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.Append('"');
    }

    /// <summary>
    /// Parses a document; unknown fields are ignored and absent ones read as their defaults (a newer
    /// writer may add fields). Throws <see cref="InvalidDataException"/> naming <paramref name="path"/>
    /// when the text is not such a document.
    /// </summary>
    public static Contents Read(ReadOnlyMemory<byte> bytes, string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: the metadata file is not a JSON object");
            }

            var topics = new List<TopicMetadata>();
            if (root.TryGetProperty("topics", out JsonElement topicArray) && topicArray.ValueKind != JsonValueKind.Null)
            {
                foreach (JsonElement topic in topicArray.EnumerateArray())
                {
                    var configs = new Dictionary<string, string>(StringComparer.Ordinal);
                    if (topic.TryGetProperty("configs", out JsonElement configObject) && configObject.ValueKind != JsonValueKind.Null)
                    {
                        foreach (JsonProperty config in configObject.EnumerateObject())
                        {
                            configs[config.Name] = config.Value.GetString() ?? string.Empty;
                        }
                    }

                    topics.Add(new TopicMetadata(
                        String(topic, "name"),
                        topic.TryGetProperty("topicId", out JsonElement id) ? id.GetGuid() : Guid.Empty,
                        topic.TryGetProperty("partitions", out JsonElement partitions) ? partitions.GetInt32() : 0,
                        configs));
                }
            }

            return new Contents(
                Int(root, "version"),
                Int(root, "minCompatibleVersion"),
                String(root, "clusterId"),
                topics,
                root.TryGetProperty("producerIdBlockEnd", out JsonElement end) ? end.GetInt64() : 0);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: the metadata file is not valid: {e.Message}", e);
        }
    }

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) ? value.GetInt32() : 0;

    private static string String(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) ? value.GetString() ?? string.Empty : string.Empty;
}
