using Runnel.Protocol.Records;

namespace Runnel.Storage.Log;

/// <summary>
/// Result of <see cref="PartitionLog.Read"/>: whole stored batches, byte for byte, in
/// <see cref="Records"/> (null when none), plus the offsets the Fetch response reports.
/// </summary>
/// <remarks>
/// Ownership: the caller owns <see cref="Records"/> and disposes it (or calls <see cref="Dispose"/>)
/// once the bytes have been sent; it is a pooled buffer. Do not copy this struct and dispose both copies'
/// buffers in different places (double disposal is ignored, use after disposal is not).
/// </remarks>
public readonly record struct LogReadResult(
    LogError Error,
    PooledBuffer? Records,
    long LogStartOffset,
    long LogEndOffset,
    long HighWatermark) : IDisposable
{
    /// <summary>The batch bytes; empty when there are none.</summary>
    public ReadOnlyMemory<byte> Data => Records is null ? ReadOnlyMemory<byte>.Empty : Records.Memory;

    /// <summary>
    /// The offset after the last batch returned (the upper bound of a read_committed fetch's aborted
    /// transactions, <see cref="PartitionLog.CollectAbortedTransactions"/>), or -1 when there is no
    /// batch. Walks the batch headers, so callers ask only when they need it.
    /// </summary>
    public long NextOffset() => PartitionLog.LastOffsetOf(Data.Span) is var last and >= 0 ? last + 1 : -1;

    public void Dispose() => Records?.Dispose();
}
