namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// Kafka's <c>Topic.isInternal</c> by name alone, for topics that may not exist (DeleteRecords
/// refuses internal topics before looking them up). Same set as <c>TopicMetadata.IsInternal</c>.
/// </summary>
internal static class InternalTopics
{
    public static bool IsInternal(string name) => name is "__consumer_offsets" or "__transaction_state";
}
