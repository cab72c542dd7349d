using Runnel.Protocol;

namespace Runnel.Broker.Groups;

/// <summary>
/// The outcome of a JoinGroup: the leader also gets every member's metadata for the chosen protocol.
/// <see cref="SkipAssignment"/> (KIP-814) tells a restarted static leader the assignment stands.
/// </summary>
public sealed record JoinGroupResult(
    ErrorCode Error,
    string MemberId,
    int GenerationId = -1,
    string? ProtocolType = null,
    string? ProtocolName = null,
    string LeaderId = "",
    IReadOnlyList<(string MemberId, string? GroupInstanceId, byte[] Metadata)>? Members = null,
    bool SkipAssignment = false)
{
    public static JoinGroupResult Fail(ErrorCode error, string memberId = "") => new(error, memberId);
}
