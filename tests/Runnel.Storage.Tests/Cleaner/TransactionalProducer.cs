using System.Text;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>
/// A transactional producer writing straight into a log: keyed transactional batches with the
/// producer's sequence numbers, and the COMMIT / ABORT markers its coordinator would write.
/// Remembers which records each transaction wrote, so a test knows what was aborted.
/// </summary>
internal sealed class TransactionalProducer(PartitionLog log, long producerId, short epoch = 0)
{
    private readonly List<StoredRecord> _open = [];
    private int _sequence;

    /// <summary>The log written to (a test replaces it after reopening the partition).</summary>
    public PartitionLog Log { get; set; } = log;

    public long ProducerId { get; } = producerId;

    public short Epoch { get; private set; } = epoch;

    /// <summary>Records of this producer's aborted transactions.</summary>
    public List<StoredRecord> Aborted { get; } = [];

    /// <summary>Appends one transactional batch (opening a transaction if none is) and returns its records.</summary>
    public List<StoredRecord> Send(long timestamp, CompressionType compression, params (string Key, string? Value)[] records)
    {
        var builder = new RecordBatchBuilder { ProducerId = ProducerId, ProducerEpoch = Epoch, BaseSequence = _sequence, IsTransactional = true, Compression = compression };
        foreach (var (key, value) in records)
        {
            builder.Append(timestamp, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        }

        var result = Log.Append(builder.ToArray(), leaderEpoch: 0, useLogAppendTime: false);
        Assert.Equal(ProducerCheckResult.Append, result.Producer.Result);
        _sequence += records.Length;
        var stored = records.Select((r, i) => new StoredRecord(result.FirstOffset + i, r.Key, r.Value, result.FirstOffset, result.LastOffset)).ToList();
        _open.AddRange(stored);
        return stored;
    }

    public List<StoredRecord> Send(params (string Key, string? Value)[] records) => Send(1_000, CompressionType.None, records);

    /// <summary>Writes the COMMIT marker; returns its offset.</summary>
    public long Commit(long timestamp = 1_000) => End(ControlRecordType.Commit, Epoch, timestamp);

    /// <summary>Writes the ABORT marker; returns its offset.</summary>
    public long Abort(long timestamp = 1_000) => End(ControlRecordType.Abort, Epoch, timestamp);

    /// <summary>The coordinator fences the producer: an ABORT marker with the next epoch, which starts at sequence 0.</summary>
    public long AbortWithBumpedEpoch(long timestamp = 1_000)
    {
        Epoch++;
        _sequence = 0;
        return End(ControlRecordType.Abort, Epoch, timestamp);
    }

    private long End(ControlRecordType type, short markerEpoch, long timestamp)
    {
        var marker = new RecordBatchBuilder { ProducerId = ProducerId, ProducerEpoch = markerEpoch }.AppendEndTransactionMarker(type, coordinatorEpoch: 0, timestamp).ToArray();
        var result = Log.Append(marker, leaderEpoch: 0, useLogAppendTime: false, fromCoordinator: true);
        Assert.Equal(ProducerCheckResult.Append, result.Producer.Result);
        if (type == ControlRecordType.Abort)
        {
            Aborted.AddRange(_open);
        }

        _open.Clear();
        return result.FirstOffset;
    }
}
