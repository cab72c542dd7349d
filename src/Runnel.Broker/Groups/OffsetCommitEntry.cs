namespace Runnel.Broker.Groups;

/// <summary>One partition's offset in an OffsetCommit.</summary>
public readonly record struct OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);
