namespace Runnel.Broker.Groups;

/// <summary>A parsed <c>__consumer_offsets</c> key: its type, group, and the fields that type carries.</summary>
public readonly record struct OffsetsTopicKey(short Type, string GroupId, string Topic, int Partition, string MemberId);
