using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Groups;

/// <summary>Log messages of the group coordinator (event ids 2300–2399).</summary>
internal static partial class Log
{
    [LoggerMessage(2300, LogLevel.Information, "Group coordinator loaded {PartitionCount} __consumer_offsets partition(s): {RecordCount} record(s), {GroupCount} group(s) in {ElapsedMs} ms")]
    public static partial void Loaded(ILogger logger, int partitionCount, long recordCount, int groupCount, long elapsedMs);

    [LoggerMessage(2301, LogLevel.Debug, "Group {GroupId} preparing rebalance from generation {GenerationId} with {MemberCount} member(s)")]
    public static partial void RebalanceStarted(ILogger logger, string groupId, int generationId, int memberCount);

    [LoggerMessage(2302, LogLevel.Debug, "Group {GroupId} generation {GenerationId}: {MemberCount} member(s), protocol {Protocol}")]
    public static partial void RebalanceCompleted(ILogger logger, string groupId, int generationId, int memberCount, string protocol);

    [LoggerMessage(2303, LogLevel.Debug, "Group {GroupId} is empty at generation {GenerationId}")]
    public static partial void GroupEmpty(ILogger logger, string groupId, int generationId);

    [LoggerMessage(2304, LogLevel.Debug, "Group {GroupId}: member {MemberId} left")]
    public static partial void MemberLeft(ILogger logger, string groupId, string memberId);

    [LoggerMessage(2305, LogLevel.Information, "Group {GroupId}: member {MemberId} expired (session timeout)")]
    public static partial void SessionExpired(ILogger logger, string groupId, string memberId);

    [LoggerMessage(2306, LogLevel.Error, "Writing to __consumer_offsets partition {Partition} failed")]
    public static partial void WriteFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(2307, LogLevel.Error, "The group coordinator could not load __consumer_offsets; group requests keep getting COORDINATOR_LOAD_IN_PROGRESS")]
    public static partial void LoadFailed(ILogger logger, Exception exception);

    [LoggerMessage(2308, LogLevel.Information, "Group {GroupId} is now a consumer group (KIP-848)")]
    public static partial void ConsumerGroupCreated(ILogger logger, string groupId);

    [LoggerMessage(2309, LogLevel.Debug, "Group {GroupId}: member {MemberId} joined")]
    public static partial void ConsumerMemberJoined(ILogger logger, string groupId, string memberId);

    [LoggerMessage(2310, LogLevel.Information, "Group {GroupId}: static member {InstanceId} rejoined as {MemberId}, replacing {PreviousMemberId}")]
    public static partial void StaticMemberReplaced(ILogger logger, string groupId, string instanceId, string previousMemberId, string memberId);

    [LoggerMessage(2311, LogLevel.Debug, "Group {GroupId}: static member {MemberId} ({InstanceId}) left temporarily")]
    public static partial void StaticMemberLeftTemporarily(ILogger logger, string groupId, string memberId, string instanceId);

    [LoggerMessage(2312, LogLevel.Debug, "Group {GroupId}: group epoch bumped to {GroupEpoch}")]
    public static partial void GroupEpochBumped(ILogger logger, string groupId, int groupEpoch);

    [LoggerMessage(2313, LogLevel.Debug, "Group {GroupId}: target assignment for epoch {GroupEpoch} computed by {Assignor} for {MemberCount} member(s)")]
    public static partial void TargetAssignmentComputed(ILogger logger, string groupId, int groupEpoch, string assignor, int memberCount);

    [LoggerMessage(2314, LogLevel.Information, "Group {GroupId}: member {MemberId} fenced: it did not revoke its partitions at epoch {MemberEpoch} within its rebalance timeout")]
    public static partial void RevocationTimedOut(ILogger logger, string groupId, string memberId, int memberEpoch);

    [LoggerMessage(2320, LogLevel.Information, "Group {GroupId}: static member {GroupInstanceId} rejoined, member id {OldMemberId} replaced by {NewMemberId}")]
    public static partial void ClassicStaticMemberReplaced(ILogger logger, string groupId, string groupInstanceId, string oldMemberId, string newMemberId);

    [LoggerMessage(2321, LogLevel.Information, "Group {GroupId} deleted ({OffsetCount} committed offset(s) removed)")]
    public static partial void GroupDeleted(ILogger logger, string groupId, int offsetCount);

    [LoggerMessage(2322, LogLevel.Information, "Removed {OffsetCount} committed offset(s) of deleted topic {Topic}")]
    public static partial void OffsetsOfDeletedTopicRemoved(ILogger logger, string topic, int offsetCount);

    [LoggerMessage(2323, LogLevel.Information, "Offset expiration removed {OffsetCount} committed offset(s) and {GroupCount} empty group(s) in {ElapsedMs} ms")]
    public static partial void OffsetsExpired(ILogger logger, int offsetCount, int groupCount, long elapsedMs);
}
