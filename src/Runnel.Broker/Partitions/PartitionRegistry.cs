using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Runnel.Broker.Partitions;

/// <summary>
/// The partitions this broker hosts, by topic. Readers use an immutable snapshot without locks;
/// topic creation and deletion publish a new snapshot under a short lock (no I/O inside it).
/// </summary>
public sealed class PartitionRegistry
{
    private readonly Lock _lock = new();
    private volatile FrozenDictionary<string, Partition[]> _byTopic = FrozenDictionary<string, Partition[]>.Empty;

    public bool TryGet(string topic, int partition, [NotNullWhen(true)] out Partition? result)
    {
        if (_byTopic.TryGetValue(topic, out var partitions) && (uint)partition < (uint)partitions.Length)
        {
            result = partitions[partition];
            return true;
        }

        result = null;
        return false;
    }

    public bool TryGetTopic(string topic, [NotNullWhen(true)] out Partition[]? partitions) =>
        _byTopic.TryGetValue(topic, out partitions);

    public IEnumerable<Partition> All => _byTopic.Values.SelectMany(static p => p);

    /// <summary>Sets the partitions of a topic (creation or growth).</summary>
    public void SetTopic(string topic, Partition[] partitions)
    {
        lock (_lock)
        {
            var copy = new Dictionary<string, Partition[]>(_byTopic, StringComparer.Ordinal) { [topic] = partitions };
            _byTopic = copy.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    public Partition[]? RemoveTopic(string topic)
    {
        lock (_lock)
        {
            if (!_byTopic.TryGetValue(topic, out var removed))
            {
                return null;
            }

            var copy = new Dictionary<string, Partition[]>(_byTopic, StringComparer.Ordinal);
            copy.Remove(topic);
            _byTopic = copy.ToFrozenDictionary(StringComparer.Ordinal);
            return removed;
        }
    }
}
