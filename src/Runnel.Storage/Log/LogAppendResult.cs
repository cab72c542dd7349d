using Runnel.Storage.Producers;

namespace Runnel.Storage.Log;

/// <summary>What <see cref="PartitionLog.Append"/> assigned.</summary>
/// <param name="FirstOffset">Base offset of the first appended batch.</param>
/// <param name="LastOffset">Last offset of the last appended batch (pass it to <see cref="PartitionLog.WaitForFlushAsync"/>).</param>
/// <param name="LogAppendTime">The broker time stamped into the batches, or -1 when they keep CreateTime.</param>
/// <param name="LogStartOffset">The log start offset after the append (Produce response field).</param>
/// <param name="BatchCount">Batches appended.</param>
/// <param name="SizeInBytes">Bytes appended.</param>
/// <param name="Producer">
/// The idempotent-producer verdict: <see cref="ProducerCheckResult.Append"/> normally;
/// <see cref="ProducerCheckResult.Duplicate"/> with the original batch's offsets in
/// <see cref="FirstOffset"/>/<see cref="LastOffset"/> and nothing written; a refusal with nothing written
/// and offsets -1 (the message says why).
/// </param>
public readonly record struct LogAppendResult(
    long FirstOffset,
    long LastOffset,
    long LogAppendTime,
    long LogStartOffset,
    int BatchCount,
    int SizeInBytes,
    ProducerCheck Producer = default);
