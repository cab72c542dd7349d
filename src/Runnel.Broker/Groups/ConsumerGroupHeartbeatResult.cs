using System.Collections.Immutable;
using Runnel.Broker.Groups.Consumer;
using Runnel.Protocol;

namespace Runnel.Broker.Groups;

/// <summary>
/// The coordinator's answer to a ConsumerGroupHeartbeat: the member's id and epoch, and its assigned
/// partitions when they changed or the request was a full one (null otherwise, as Kafka does).
/// </summary>
public sealed record ConsumerGroupHeartbeatResult(
    ErrorCode Error,
    string? ErrorMessage,
    string? MemberId,
    int MemberEpoch,
    int HeartbeatIntervalMs,
    ImmutableSortedSet<TopicIdPartition>? Assignment)
{
    public static ConsumerGroupHeartbeatResult Fail(ErrorCode error, string? message) => new(error, message, null, 0, 0, null);
}
