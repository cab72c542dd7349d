namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// Checks a replica list given explicitly in CreateTopics or CreatePartitions, as Kafka's
/// <c>ReplicationControlManager.validateManualPartitionAssignment</c> does, against a cluster whose
/// only registered broker is this node. Failures are INVALID_REPLICA_ASSIGNMENT.
/// </summary>
internal static class ManualAssignment
{
    /// <summary>Returns null when <paramref name="brokerIds"/> is acceptable, else Kafka's message.</summary>
    /// <param name="brokerIds">The replicas asked for.</param>
    /// <param name="nodeId">This broker, the only one registered.</param>
    /// <param name="replicationFactor">The replica count the other partitions have, when known.</param>
    public static string? Validate(IReadOnlyList<int> brokerIds, int nodeId, int? replicationFactor)
    {
        if (brokerIds.Count == 0)
        {
            return "The manual partition assignment includes an empty replica list.";
        }

        var sorted = brokerIds.ToArray();
        Array.Sort(sorted);
        int? previous = null;
        foreach (var brokerId in sorted)
        {
            if (brokerId != nodeId)
            {
                return $"The manual partition assignment includes broker {brokerId}, but no such broker is registered.";
            }

            if (previous == brokerId)
            {
                return $"The manual partition assignment includes the broker {brokerId} more than once.";
            }

            previous = brokerId;
        }

        if (replicationFactor is { } expected && sorted.Length != expected)
        {
            return $"The manual partition assignment includes a partition with {sorted.Length} replica(s), but this is not consistent with previous partitions, which have {expected} replica(s).";
        }

        return null;
    }
}
