using Runnel.Protocol.Primitives;

namespace Runnel.Protocol.Framing;

/// <summary>
/// The request header (v1, or v2 with tagged fields for flexible versions). Header v0 only paired
/// with ControlledShutdown v0, which Kafka 4.0 removed, so it is not accepted. The client id keeps
/// its two-byte length even in v2 so any broker can read any request's header.
/// </summary>
public sealed class RequestHeader
{
    public short ApiKey { get; set; }

    public short ApiVersion { get; set; }

    public int CorrelationId { get; set; }

    public string? ClientId { get; set; }

    /// <summary>
    /// Whether the header carries tagged fields: true when the request version is flexible.
    /// An ApiVersions request newer than we know is read as flexible, like Kafka does, so the
    /// broker can still answer it (KIP-511).
    /// </summary>
    public static bool IsFlexible(short apiKey, short apiVersion)
    {
        if (!ApiRegistry.TryGet(apiKey, out var api))
        {
            return false;
        }

        return apiVersion >= api.FirstFlexibleVersion
            || (apiKey == (short)Protocol.ApiKey.ApiVersions && apiVersion > api.HighestVersion);
    }

    /// <summary>Reads the whole header; the reader is left at the start of the body. A header may be read again for the next request.</summary>
    public void Read(ref ProtocolReader reader)
    {
        ApiKey = reader.ReadInt16();
        ApiVersion = reader.ReadInt16();
        CorrelationId = reader.ReadInt32();
        // A header read again (the broker keeps one per connection) keeps its client id string
        // when the next request repeats it.
        ClientId = reader.ReadStringReusing(ClientId, compact: false, nullable: true);
        if (IsFlexible(ApiKey, ApiVersion))
        {
            // Header tagged fields carry nothing Runnel uses yet; skip them.
            var count = reader.ReadUnsignedVarInt();
            for (uint i = 0; i < count; i++)
            {
                reader.ReadUnsignedVarInt();
                reader.Skip(reader.ReadTaggedFieldSize());
            }
        }
    }

    public int GetSize() =>
        8 + ProtocolSizes.String(ClientId, compact: false) + (IsFlexible(ApiKey, ApiVersion) ? 1 : 0);

    /// <summary>Writes the header (used by tests and by the test client).</summary>
    public void Write(ref ProtocolWriter writer)
    {
        writer.WriteInt16(ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        writer.WriteString(ClientId, compact: false);
        if (IsFlexible(ApiKey, ApiVersion))
        {
            writer.WriteUnsignedVarInt(0);
        }
    }
}
