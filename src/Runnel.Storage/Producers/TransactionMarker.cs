using System.Buffers.Binary;
using Runnel.Protocol.Records;

namespace Runnel.Storage.Producers;

/// <summary>
/// An end-transaction marker read from a control batch (Kafka's <c>EndTransactionMarker</c>): the one
/// record's key is <c>[version int16][type int16]</c>, its value <c>[version int16][coordinatorEpoch int32]</c>.
/// </summary>
public readonly record struct TransactionMarker(ControlRecordType Type, int CoordinatorEpoch)
{
    /// <summary>The marker in the uncompressed control <paramref name="batch"/>; null when it holds no readable marker (emptied by the cleaner, or another control type).</summary>
    public static TransactionMarker? TryRead(ReadOnlySpan<byte> batch)
    {
        var header = RecordBatchHeader.Read(batch);
        if (!header.IsControl || header.RecordCount < 1 || header.Compression != CompressionType.None || batch.Length < header.TotalSize)
        {
            return null;
        }

        var reader = new RecordReader(batch[RecordBatchHeader.Size..header.TotalSize], header.RecordCount);
        if (!reader.MoveNext())
        {
            return null;
        }

        var record = reader.Current;
        if (record.Key.Length < 4 || !record.HasValue || record.Value.Length < 6)
        {
            return null;
        }

        var type = BinaryPrimitives.ReadInt16BigEndian(record.Key[2..]);
        return type is (short)ControlRecordType.Abort or (short)ControlRecordType.Commit
            ? new TransactionMarker((ControlRecordType)type, BinaryPrimitives.ReadInt32BigEndian(record.Value[2..]))
            : null;
    }
}
