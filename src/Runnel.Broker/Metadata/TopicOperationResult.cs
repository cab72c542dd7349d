using Runnel.Protocol;

namespace Runnel.Broker.Metadata;

/// <summary>The outcome of a topic admin operation: Kafka's error code and message, and the topic on success.</summary>
public readonly record struct TopicOperationResult(ErrorCode Error, string? Message, TopicMetadata? Topic)
{
    public static TopicOperationResult Ok(TopicMetadata topic) => new(ErrorCode.None, null, topic);

    public static TopicOperationResult Fail(ErrorCode error, string? message) => new(error, message, null);
}
