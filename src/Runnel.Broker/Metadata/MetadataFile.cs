using System.Buffers;
using System.Text.Json;

namespace Runnel.Broker.Metadata;

/// <summary>
/// Reads and writes <c>runnel-metadata.json</c> (docs/formats/metadata.md) with the JSON reader and
/// writer directly. The serializer's type metadata, even source-generated, cost the first broker
/// start in a process ~20 ms to set up, for a document of five fields.
/// </summary>
internal static class MetadataFile
{
    /// <summary>What the file holds.</summary>
    internal sealed record Contents(int Version, int MinCompatibleVersion, string ClusterId, IReadOnlyList<TopicMetadata> Topics, long ProducerIdBlockEnd);

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };

    /// <summary>The document for <paramref name="image"/>, indented UTF-8, topics in the image's order.</summary>
    public static byte[] Write(int version, int minCompatibleVersion, string clusterId, MetadataImage image)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (image.Topics.Count * 160));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", version);
            writer.WriteNumber("minCompatibleVersion", minCompatibleVersion);
            writer.WriteString("clusterId", clusterId);
            writer.WriteStartArray("topics");
            foreach (TopicMetadata topic in image.Topics)
            {
                writer.WriteStartObject();
                writer.WriteString("name", topic.Name);
                writer.WriteString("topicId", topic.TopicId);
                writer.WriteNumber("partitions", topic.PartitionCount);
                writer.WriteStartObject("configs");
                foreach ((string key, string value) in topic.Configs)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("producerIdBlockEnd", image.ProducerIdBlockEnd);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
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
