using Runnel.Protocol.Records;

namespace Runnel.Storage.Log;

/// <summary>
/// One stored batch found by a timestamp search (<see cref="PartitionLog.FindFirstBatchWithMaxTimestampAtLeast"/>,
/// <see cref="PartitionLog.FindBatchWithMaxTimestamp"/>); the broker decodes its records to find
/// the exact record. The caller disposes it (the bytes are pooled).
/// </summary>
public sealed class LogBatchLookup : IDisposable
{
    private readonly PooledBuffer _buffer;

    internal LogBatchLookup(long baseOffset, long lastOffset, long maxTimestamp, PooledBuffer buffer)
    {
        BaseOffset = baseOffset;
        LastOffset = lastOffset;
        MaxTimestamp = maxTimestamp;
        _buffer = buffer;
    }

    public long BaseOffset { get; }

    public long LastOffset { get; }

    public long MaxTimestamp { get; }

    /// <summary>The batch as stored (RecordBatch v2, header included).</summary>
    public ReadOnlyMemory<byte> Batch => _buffer.Memory;

    public void Dispose() => _buffer.Dispose();
}
