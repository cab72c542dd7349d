using Runnel.Protocol;

namespace Runnel.Broker.Groups;

/// <summary>The outcome of a SyncGroup: the member's assignment from the leader.</summary>
public sealed record SyncGroupResult(ErrorCode Error, byte[] Assignment, string? ProtocolType = null, string? ProtocolName = null)
{
    public static SyncGroupResult Fail(ErrorCode error) => new(error, Array.Empty<byte>());
}
