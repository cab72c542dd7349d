namespace Runnel.Broker.Groups;

/// <summary>The states of a classic group, as Kafka's <c>ClassicGroupState</c>.</summary>
public enum GroupState
{
    /// <summary>No members; offsets may still be committed (simple consumers) and fetched.</summary>
    Empty,

    /// <summary>Waiting for members to (re)join; heartbeats answer REBALANCE_IN_PROGRESS.</summary>
    PreparingRebalance,

    /// <summary>Join done; waiting for the leader's assignments in SyncGroup.</summary>
    CompletingRebalance,

    /// <summary>Assignments delivered; members heartbeat.</summary>
    Stable,

    /// <summary>Removed; requests answer as if the group did not exist.</summary>
    Dead,
}
