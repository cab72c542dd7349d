namespace Runnel.Broker.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// A snapshot of every group for ListGroups: id, protocol type, state and type. A consumer-protocol
    /// group reports protocol type "consumer", type "consumer" and its KIP-848 state, as Kafka does.
    /// </summary>
    public List<GroupListing> ListGroups()
    {
        lock (_lock)
        {
            var result = new List<GroupListing>(_groups.Count);
            foreach (var group in _groups.Values)
            {
                result.Add(group.Consumer is { } consumer
                    ? new GroupListing(group.GroupId, "consumer", consumer.State.ToString(), GroupListing.ConsumerType)
                    : new GroupListing(group.GroupId, group.ProtocolType ?? "", group.State.ToString(), GroupListing.ClassicType));
            }

            return result;
        }
    }

    /// <summary>
    /// A snapshot of one group for DescribeGroups, or null when the coordinator has no such group.
    /// As in Kafka, member metadata and assignments are only reported while the group is Stable
    /// (otherwise they are in flux), and the protocol name only then too. A consumer-protocol group is
    /// not a classic group: null, so DescribeGroups answers as for an unknown group (Kafka 4.0).
    /// </summary>
    public GroupDescription? DescribeGroup(string groupId)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(groupId, out var group) || group.Consumer is not null)
            {
                return null;
            }

            var stable = group.State == GroupState.Stable;
            var members = new List<GroupMemberDescription>(group.Members.Count);
            foreach (var member in group.Members.Values)
            {
                members.Add(new GroupMemberDescription(
                    member.MemberId,
                    member.GroupInstanceId,
                    member.ClientId,
                    member.ClientHost,
                    stable && group.ProtocolName is { } protocol ? member.MetadataFor(protocol) ?? [] : [],
                    stable ? member.Assignment : []));
            }

            return new GroupDescription(group.GroupId, group.State, group.ProtocolType ?? "", stable ? group.ProtocolName ?? "" : "", members);
        }
    }
}

/// <summary>One group as ListGroups reports it: state as Kafka names it, type "classic" or "consumer".</summary>
public sealed record GroupListing(string GroupId, string ProtocolType, string State, string Type)
{
    public const string ClassicType = "classic";
    public const string ConsumerType = "consumer";
}

/// <summary>One group as DescribeGroups reports it.</summary>
public sealed record GroupDescription(string GroupId, GroupState State, string ProtocolType, string ProtocolData, List<GroupMemberDescription> Members);

/// <summary>One member as DescribeGroups reports it.</summary>
public sealed record GroupMemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);
