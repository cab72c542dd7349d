using System.Collections.Immutable;
using Runnel.Broker.Groups.Consumer;

namespace Runnel.Broker.Groups;

/// <summary>A consumer-protocol group as ConsumerGroupDescribe reports it (a snapshot taken under the lock).</summary>
public sealed record ConsumerGroupDescription(
    string GroupId,
    ConsumerGroupState State,
    int GroupEpoch,
    int AssignmentEpoch,
    string AssignorName,
    List<ConsumerGroupMemberDescription> Members);

/// <summary>One member as ConsumerGroupDescribe reports it: current and target assignment by topic id.</summary>
public sealed record ConsumerGroupMemberDescription(
    string MemberId,
    string? InstanceId,
    string? RackId,
    int MemberEpoch,
    string ClientId,
    string ClientHost,
    IReadOnlyList<string> SubscribedTopicNames,
    string? SubscribedTopicRegex,
    ImmutableSortedSet<TopicIdPartition> Assignment,
    ImmutableSortedSet<TopicIdPartition> TargetAssignment);
