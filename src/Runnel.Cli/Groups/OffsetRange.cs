using Confluent.Kafka;
using Runnel.Cli.Commands;

namespace Runnel.Cli.Groups;

/// <summary>
/// Keeps a requested offset inside the log, as kafka-consumer-groups.sh's <c>checkOffsetsRange</c>
/// does for <c>--to-offset</c> and <c>--shift-by</c>: above the log end offset becomes the log end
/// offset, below the log start offset becomes the log start offset, each with Kafka's warning.
/// </summary>
internal static class OffsetRange
{
    /// <summary>
    /// The offset to commit; <paramref name="warning"/> says why it differs from <paramref name="requested"/>.
    /// An unknown (null) log start or end offset applies no bound on that side.
    /// </summary>
    public static long Clamp(TopicPartition partition, long requested, long? logStartOffset, long? logEndOffset, out string? warning)
    {
        warning = null;
        if (logEndOffset is { } end && requested > end)
        {
            warning = $"WARN: New offset ({requested}) is higher than latest offset for topic partition {GroupsCommand.PartitionName(partition)}. Value will be set to {end}";
            return end;
        }

        if (logStartOffset is { } start && requested < start)
        {
            warning = $"WARN: New offset ({requested}) is lower than earliest offset for topic partition {GroupsCommand.PartitionName(partition)}. Value will be set to {start}";
            return start;
        }

        return requested;
    }
}
