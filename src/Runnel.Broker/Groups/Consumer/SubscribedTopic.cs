namespace Runnel.Broker.Groups.Consumer;

/// <summary>A topic some member of a group subscribes to, as the group last saw it (Kafka's subscription metadata).</summary>
public readonly record struct SubscribedTopic(string Name, Guid TopicId, int PartitionCount);
