using System.Collections.Frozen;

namespace Runnel.Broker.Metadata;

/// <summary>
/// An immutable snapshot of every topic. Handlers read the current image without locks; writers
/// (create, delete, alter) build a new image and publish it atomically.
/// </summary>
public sealed class MetadataImage
{
    public static readonly MetadataImage Empty = new(new Dictionary<string, TopicMetadata>());

    private readonly FrozenDictionary<string, TopicMetadata> _byName;
    private readonly FrozenDictionary<Guid, TopicMetadata> _byId;

    public MetadataImage(IReadOnlyDictionary<string, TopicMetadata> topics)
    {
        if (topics.Count == 0)
        {
            // Every fresh broker starts here: the frozen collections' analysis (and its first-use
            // code) waits for the first topic.
            _byName = FrozenDictionary<string, TopicMetadata>.Empty;
            _byId = FrozenDictionary<Guid, TopicMetadata>.Empty;
            Topics = [];
            return;
        }

        _byName = topics.ToFrozenDictionary(StringComparer.Ordinal);
        _byId = topics.Values.ToFrozenDictionary(t => t.TopicId);
        var sorted = topics.Values.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        Topics = sorted;
    }

    /// <summary>
    /// The end (exclusive) of the last producer-id block handed out (Kafka's <c>ProducerIdsRecord</c>):
    /// producer ids below it may have been used, so a restarted broker allocates from here.
    /// </summary>
    public long ProducerIdBlockEnd { get; private init; }

    /// <summary>This image with the producer-id block end moved to <paramref name="end"/>.</summary>
    public MetadataImage WithProducerIdBlockEnd(long end) => new(_byName) { ProducerIdBlockEnd = end };

    /// <summary>Every topic, ordered by name.</summary>
    public IReadOnlyList<TopicMetadata> Topics { get; }

    public bool TryGetTopic(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopicMetadata? topic) =>
        _byName.TryGetValue(name, out topic);

    public bool TryGetTopic(Guid id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TopicMetadata? topic) =>
        _byId.TryGetValue(id, out topic);

    public MetadataImage With(TopicMetadata topic)
    {
        var copy = new Dictionary<string, TopicMetadata>(_byName, StringComparer.Ordinal) { [topic.Name] = topic };
        return new MetadataImage(copy) { ProducerIdBlockEnd = ProducerIdBlockEnd };
    }

    public MetadataImage Without(string name)
    {
        var copy = new Dictionary<string, TopicMetadata>(_byName, StringComparer.Ordinal);
        copy.Remove(name);
        return new MetadataImage(copy) { ProducerIdBlockEnd = ProducerIdBlockEnd };
    }
}
