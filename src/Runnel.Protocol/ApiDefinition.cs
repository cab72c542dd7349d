namespace Runnel.Protocol;

/// <summary>One API as defined in this build: the range the codecs understand, not what the broker serves.</summary>
public sealed record ApiDefinition(ApiKey Key, string Name, short LowestVersion, short HighestVersion, short FirstFlexibleVersion)
{
    public bool IsFlexible(short version) => version >= FirstFlexibleVersion;
}
