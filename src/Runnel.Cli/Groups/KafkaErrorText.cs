using Confluent.Kafka;

namespace Runnel.Cli.Groups;

/// <summary>
/// A broker error as Kafka's tools print it: Kafka's name for the code (<c>Errors.java</c>, e.g.
/// <c>NON_EMPTY_GROUP</c>) and Kafka's message for it. Confluent.Kafka names the codes differently
/// (<c>NonEmptyGroup</c>) and librdkafka words them its own way ("Broker: Group not empty"), so the
/// errors the group commands meet are spelled out here; any other code prints as librdkafka reports it.
/// </summary>
internal static class KafkaErrorText
{
    public static string Describe(Error error) => error.Code switch
    {
        ErrorCode.UnknownTopicOrPart => "UNKNOWN_TOPIC_OR_PARTITION: This server does not host this topic-partition.",
        ErrorCode.GroupLoadInProgress => "COORDINATOR_LOAD_IN_PROGRESS: The coordinator is loading and hence can't process requests.",
        ErrorCode.GroupCoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE: The coordinator is not available.",
        ErrorCode.NotCoordinatorForGroup => "NOT_COORDINATOR: This is not the correct coordinator.",
        ErrorCode.InvalidGroupId => "INVALID_GROUP_ID: The configured groupId is invalid.",
        ErrorCode.TopicAuthorizationFailed => "TOPIC_AUTHORIZATION_FAILED: Topic authorization failed.",
        ErrorCode.GroupAuthorizationFailed => "GROUP_AUTHORIZATION_FAILED: Group authorization failed.",
        ErrorCode.UnsupportedVersion => "UNSUPPORTED_VERSION: The version of API is not supported.",
        ErrorCode.NonEmptyGroup => "NON_EMPTY_GROUP: The group is not empty.",
        ErrorCode.GroupIdNotFound => "GROUP_ID_NOT_FOUND: The group id does not exist.",
        ErrorCode.GroupSubscribedToTopic => "GROUP_SUBSCRIBED_TO_TOPIC: Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.",
        _ => string.IsNullOrEmpty(error.Reason) ? error.Code.ToString() : $"{error.Code}: {error.Reason}",
    };
}
