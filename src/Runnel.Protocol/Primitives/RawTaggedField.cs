namespace Runnel.Protocol.Primitives;

/// <summary>A tagged field this version of Runnel does not know, kept so it can be written back unchanged.</summary>
public sealed record RawTaggedField(int Tag, byte[] Data);
