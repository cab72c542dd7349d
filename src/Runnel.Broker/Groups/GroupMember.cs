namespace Runnel.Broker.Groups;

/// <summary>A member of a classic group. Mutated only under the coordinator's lock.</summary>
public sealed class GroupMember
{
    public GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
        ClientId = clientId;
        ClientHost = clientHost;
    }

    public string MemberId { get; set; }

    public string? GroupInstanceId { get; }

    public string ClientId { get; set; }

    public string ClientHost { get; set; }

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    /// <summary>The protocols the member supports, in its order of preference, with their metadata.</summary>
    public List<(string Name, byte[] Metadata)> Protocols { get; set; } = new();

    public byte[] Assignment { get; set; } = Array.Empty<byte>();

    /// <summary>When the session expires unless a heartbeat (or join/sync) arrives.</summary>
    public long SessionDeadlineMs { get; set; }

    /// <summary>Set while a JoinGroup of this member waits for the rebalance to complete.</summary>
    public TaskCompletionSource<JoinGroupResult>? PendingJoin { get; set; }

    /// <summary>Set while a SyncGroup of this member waits for the leader's assignments.</summary>
    public TaskCompletionSource<SyncGroupResult>? PendingSync { get; set; }

    public byte[]? MetadataFor(string protocol)
    {
        foreach (var (name, metadata) in Protocols)
        {
            if (name == protocol)
            {
                return metadata;
            }
        }

        return null;
    }

    public bool Supports(string protocol) => MetadataFor(protocol) is not null;

    public bool SameProtocols(List<(string Name, byte[] Metadata)> other)
    {
        if (other.Count != Protocols.Count)
        {
            return false;
        }

        for (var i = 0; i < other.Count; i++)
        {
            if (other[i].Name != Protocols[i].Name || !other[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
            {
                return false;
            }
        }

        return true;
    }
}
