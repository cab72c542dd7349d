using Runnel.Protocol.Primitives;

namespace Runnel.Protocol.Framing;

/// <summary>
/// Response header: v0 is the correlation id, v1 adds an (empty) tagged-field section and is used
/// for flexible versions — except ApiVersions, which always answers with v0 so a client can read
/// the reply before it knows which versions the broker speaks.
/// </summary>
public static class ResponseHeader
{
    public static bool IsFlexible(ApiKey apiKey, short apiVersion) =>
        apiKey != ApiKey.ApiVersions && ApiRegistry.TryGet((short)apiKey, out var api) && api.IsFlexible(apiVersion);

    public static int GetSize(bool flexible) => flexible ? 5 : 4;

    public static void Write(ref ProtocolWriter writer, int correlationId, bool flexible)
    {
        writer.WriteInt32(correlationId);
        if (flexible)
        {
            writer.WriteUnsignedVarInt(0);
        }
    }
}
