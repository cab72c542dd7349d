namespace Runnel.Broker.Groups;

/// <summary>
/// Java's <c>String.hashCode</c> (s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, int overflow)
/// and Kafka's <c>Utils.abs(groupId.hashCode) % n</c>, so a group lands on the same
/// <c>__consumer_offsets</c> partition as it would on Kafka.
/// </summary>
public static class JavaStringHash
{
    public static int HashCode(string value)
    {
        var hash = 0;
        foreach (var c in value)
        {
            hash = unchecked((31 * hash) + c);
        }

        return hash;
    }

    /// <summary>Kafka's <c>Utils.abs</c>: int.MinValue maps to 0 rather than overflowing.</summary>
    public static int PartitionFor(string groupId, int partitionCount) =>
        (HashCode(groupId) & 0x7fffffff) % partitionCount;
}
