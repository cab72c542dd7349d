using Confluent.Kafka;

namespace Runnel.Cli.Groups;

/// <summary>
/// One line of <c>groups describe --members</c> (Kafka's <c>MemberAssignmentState</c>).
/// <c>GroupInstanceId</c> is the static member id (KIP-345), or empty for a dynamic member.
/// </summary>
internal sealed record GroupMemberRow(
    string Group,
    string ConsumerId,
    string GroupInstanceId,
    string Host,
    string ClientId,
    IReadOnlyList<TopicPartition> Assignment);
