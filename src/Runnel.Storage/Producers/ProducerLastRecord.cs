namespace Runnel.Storage.Producers;

/// <summary>
/// What compaction must keep of one producer (Kafka's <c>LastRecord</c>): the offset of the last
/// record of its last data batch in its current epoch, or -1 when that epoch has none (its last
/// batch was a marker, e.g. the abort that bumped its epoch), and the epoch itself.
/// </summary>
public readonly record struct ProducerLastRecord(long LastDataOffset, short Epoch);
