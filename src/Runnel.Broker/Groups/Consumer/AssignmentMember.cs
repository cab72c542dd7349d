namespace Runnel.Broker.Groups.Consumer;

/// <summary>One member as an assignor sees it: its ids and the (existing) topics it subscribes to.</summary>
public sealed record AssignmentMember(string MemberId, string? InstanceId, IReadOnlySet<Guid> SubscribedTopicIds);
