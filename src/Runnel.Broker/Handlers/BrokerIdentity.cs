namespace Runnel.Broker.Handlers;

/// <summary>Who this broker is, as handlers report it: node id, cluster id and rack.</summary>
public sealed record BrokerIdentity(int NodeId, string ClusterId, string? Rack);
