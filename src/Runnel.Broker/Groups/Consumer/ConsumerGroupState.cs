namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// The states of a consumer-protocol group, as Kafka's <c>ConsumerGroup.ConsumerGroupState</c> names
/// them in ListGroups and ConsumerGroupDescribe. Derived from the group, never stored.
/// </summary>
public enum ConsumerGroupState
{
    /// <summary>No members.</summary>
    Empty,

    /// <summary>The group epoch moved past the target assignment epoch: a new target is due.</summary>
    Assigning,

    /// <summary>Some member has not reached the target assignment yet.</summary>
    Reconciling,

    /// <summary>Every member owns its target assignment at the target epoch.</summary>
    Stable,
}
