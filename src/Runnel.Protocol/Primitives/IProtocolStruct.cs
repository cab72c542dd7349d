namespace Runnel.Protocol.Primitives;

/// <summary>A generated message or nested struct: decoded, sized and encoded per protocol version.</summary>
public interface IProtocolStruct
{
    void Read(ref ProtocolReader reader, short version);

    void Write(ref ProtocolWriter writer, short version);

    int GetSize(short version);
}

/// <summary>A generated request or response body of one API.</summary>
public interface IApiMessage : IProtocolStruct
{
    ApiKey ApiKey { get; }

    bool IsFlexibleVersion(short version);
}
