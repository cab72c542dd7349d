namespace Runnel.Broker.Groups;

/// <summary>
/// A committed offset of one group for one partition. <see cref="RecordOffset"/> is where its record
/// sits in <c>__consumer_offsets</c>: a later record always wins, whatever order appends complete in.
/// </summary>
public readonly record struct CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestampMs, long RecordOffset);
