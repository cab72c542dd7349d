namespace Runnel.Protocol.Primitives;

/// <summary>A generated message or nested struct: decoded, sized and encoded per protocol version.</summary>
public interface IProtocolStruct
{
    /// <summary>Decodes <paramref name="version"/>'s fields, assigning every field (absent ones their defaults).</summary>
    void Read(ref ProtocolReader reader, short version);

    /// <summary>Puts every field back to a new instance's value, keeping (emptied) the lists it owns.</summary>
    void Reset();

    void Write(ref ProtocolWriter writer, short version);

    int GetSize(short version);
}

/// <summary>A generated request or response body of one API.</summary>
public interface IApiMessage : IProtocolStruct
{
    ApiKey ApiKey { get; }

    bool IsFlexibleVersion(short version);
}
