namespace Runnel.Storage.Producers;

/// <summary>One producer's state in one partition (Kafka's <c>ProducerStateEntry</c>): its epoch and last five batches, oldest first.</summary>
public sealed class ProducerStateEntry(long producerId)
{
    private readonly Queue<ProducerBatch> _batches = new(ProducerStateManager.BatchesToRetain);

    public long ProducerId { get; } = producerId;

    /// <summary>The producer's current epoch (-1 before its first batch).</summary>
    public short Epoch { get; private set; } = -1;

    /// <summary>Max timestamp of its last batch (for <c>producer.id.expiration.ms</c>).</summary>
    public long LastTimestamp { get; set; } = -1;

    /// <summary>First offset of its open transaction in this partition, or -1 (Kafka's <c>currentTxnFirstOffset</c>).</summary>
    public long CurrentTxnFirstOffset { get; set; } = -1;

    /// <summary>Coordinator epoch of the last marker written for it, or -1.</summary>
    public int CoordinatorEpoch { get; set; } = -1;

    /// <summary>The retained batches, oldest first.</summary>
    public IReadOnlyCollection<ProducerBatch> Batches => _batches;

    /// <summary>The last appended sequence in this epoch, or null before the first batch of the epoch.</summary>
    public int? LastSequence => _batches.Count == 0 ? null : _batches.Last().LastSequence;

    /// <summary>Offset of the last record of its last batch, or -1.</summary>
    public long LastOffset => _batches.Count == 0 ? -1 : _batches.Last().LastOffset;

    /// <summary>The retained batch with exactly this sequence range, or null.</summary>
    public ProducerBatch? FindBatch(int firstSequence, int lastSequence)
    {
        foreach (var batch in _batches)
        {
            if (batch.FirstSequence == firstSequence && batch.LastSequence == lastSequence)
            {
                return batch;
            }
        }

        return null;
    }

    /// <summary>A new epoch: the old epoch's batches no longer identify duplicates.</summary>
    public void Reset(short epoch)
    {
        Epoch = epoch;
        _batches.Clear();
    }

    public void Add(ProducerBatch batch)
    {
        if (_batches.Count == ProducerStateManager.BatchesToRetain)
        {
            _batches.Dequeue();
        }

        _batches.Enqueue(batch);
    }
}
