using Runnel.Protocol;

namespace Runnel.Broker.Groups;

/// <summary>The outcome of a JoinGroup: the leader also gets every member's metadata for the chosen protocol.</summary>
public sealed record JoinGroupResult(
    ErrorCode Error,
    string MemberId,
    int GenerationId = -1,
    string? ProtocolType = null,
    string? ProtocolName = null,
    string LeaderId = "",
    IReadOnlyList<(string MemberId, string? GroupInstanceId, byte[] Metadata)>? Members = null)
{
    public static JoinGroupResult Fail(ErrorCode error, string memberId = "") => new(error, memberId);
}
