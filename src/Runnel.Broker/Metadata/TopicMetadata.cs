namespace Runnel.Broker.Metadata;

/// <summary>
/// One topic as the broker's metadata knows it. Immutable: a change produces a new instance and a
/// new <see cref="MetadataImage"/>. Configs hold only the topic's explicit overrides (Kafka's
/// dynamic topic configs); defaults come from the broker configuration.
/// </summary>
public sealed record TopicMetadata(string Name, Guid TopicId, int PartitionCount, IReadOnlyDictionary<string, string> Configs)
{
    /// <summary>Kafka's internal topics (<c>__consumer_offsets</c>, <c>__transaction_state</c>).</summary>
    public bool IsInternal => Name is "__consumer_offsets" or "__transaction_state";
}
