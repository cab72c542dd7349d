namespace Runnel.Broker.Groups.Consumer;

/// <summary>Where a member is in reconciling towards its target assignment (Kafka's <c>MemberState</c>).</summary>
public enum MemberState : byte
{
    /// <summary>The member owns its whole current assignment and is at its epoch.</summary>
    Stable = 0,

    /// <summary>The member must give up partitions (pending revocation) before it moves to the next epoch.</summary>
    UnrevokedPartitions = 1,

    /// <summary>The member waits for partitions still owned by others to be released.</summary>
    UnreleasedPartitions = 2,
}
