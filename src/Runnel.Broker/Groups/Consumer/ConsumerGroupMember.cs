namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// A member of a consumer-protocol group (KIP-848): its subscription as last sent in
/// ConsumerGroupHeartbeat, and its reconciliation state. Mutated only under the coordinator's lock.
/// </summary>
public sealed class ConsumerGroupMember(string memberId)
{
    /// <summary>Epoch of a static member that left temporarily (ConsumerGroupHeartbeat with -2): it keeps its assignment until its session expires.</summary>
    public const int LeaveGroupStaticMemberEpoch = -2;

    /// <summary>Epoch a member sends to leave the group.</summary>
    public const int LeaveGroupMemberEpoch = -1;

    public string MemberId { get; } = memberId;

    public string? InstanceId { get; set; }

    public string? RackId { get; set; }

    public string ClientId { get; set; } = "";

    public string ClientHost { get; set; } = "";

    public int RebalanceTimeoutMs { get; set; }

    public IReadOnlyList<string> SubscribedTopicNames { get; set; } = [];

    /// <summary>The subscribed regular expression (v1); null when the member subscribes by names only.</summary>
    public string? SubscribedTopicRegex { get; set; }

    /// <summary>The assignor the member asked for, or null for the group's default.</summary>
    public string? ServerAssignor { get; set; }

    public MemberAssignment Assignment { get; set; } = MemberAssignment.Initial;

    public int MemberEpoch => Assignment.MemberEpoch;

    /// <summary>When the member is removed unless it heartbeats (coordinator time, ms).</summary>
    public long SessionDeadlineMs { get; set; }

    /// <summary>While the member has partitions pending revocation: when it is removed unless it revokes them; 0 otherwise.</summary>
    public long RebalanceDeadlineMs { get; set; }

    /// <summary>A copy under another member id (a static member replacing its previous instance).</summary>
    public ConsumerGroupMember CopyAs(string memberId) => new(memberId)
    {
        InstanceId = InstanceId,
        RackId = RackId,
        ClientId = ClientId,
        ClientHost = ClientHost,
        RebalanceTimeoutMs = RebalanceTimeoutMs,
        SubscribedTopicNames = SubscribedTopicNames,
        SubscribedTopicRegex = SubscribedTopicRegex,
        ServerAssignor = ServerAssignor,
        Assignment = Assignment,
    };
}
