using Runnel.Broker.Metadata;
using Runnel.Broker.Partitions;
using Runnel.Protocol;

namespace Runnel.Broker.Coordination;

/// <summary>Creates a coordinator's internal topic at startup if it does not exist yet.</summary>
internal static class InternalTopic
{
    /// <summary>
    /// The partitions of <paramref name="name"/>, created with <paramref name="partitionCount"/>
    /// partitions and <paramref name="configs"/> if needed. An existing topic keeps its partition
    /// count: the count on disk decides where keys live, whatever the config says now.
    /// </summary>
    public static async Task<Partition[]> EnsureAsync(
        TopicService topics, PartitionRegistry partitions, string name, int partitionCount, Dictionary<string, string> configs, CancellationToken cancellationToken)
    {
        if (partitions.TryGetTopic(name, out var existing))
        {
            return existing;
        }

        var created = await topics.CreateTopicAsync(name, partitionCount, configs, validateOnly: false, cancellationToken);
        if (created.Error != ErrorCode.None && created.Error != ErrorCode.TopicAlreadyExists)
        {
            throw new InvalidOperationException($"Cannot create {name}: {created.Error} {created.Message}");
        }

        return partitions.TryGetTopic(name, out existing)
            ? existing
            : throw new InvalidOperationException($"{name} has no partitions after creation.");
    }
}
