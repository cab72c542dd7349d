namespace Runnel.Cli.Groups;

/// <summary>
/// One line of <c>groups describe</c>'s offsets view (Kafka's <c>PartitionAssignmentState</c>).
/// Null prints as "-": no committed offset, no log end offset known, no member owning the partition.
/// </summary>
internal sealed record PartitionOffsetsRow(
    string Group,
    string? Topic,
    int? Partition,
    long? CurrentOffset,
    long? LogEndOffset,
    string? ConsumerId,
    string? Host,
    string? ClientId)
{
    /// <summary>LOG-END-OFFSET − CURRENT-OFFSET, or null when either is unknown (Kafka's <c>getLag</c>).</summary>
    public long? Lag => CurrentOffset is { } current && LogEndOffset is { } end ? end - current : null;
}
