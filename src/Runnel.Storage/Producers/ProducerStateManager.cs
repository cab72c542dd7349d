using Runnel.Protocol.Records;

namespace Runnel.Storage.Producers;

/// <summary>
/// The idempotent-producer state of one partition (Kafka's <c>ProducerStateManager</c>): for each
/// producer id its epoch and its last five batches (sequence range and offsets), so a retried batch
/// is recognised and answered with its original offsets, a gap in sequence numbers is refused, and
/// a producer fenced by a newer epoch cannot append.
/// </summary>
/// <remarks>
/// <para>Rules (Kafka's <c>ProducerAppendInfo</c>): a batch whose epoch and sequence range equal one of
/// the retained five is a duplicate. An older epoch is INVALID_PRODUCER_EPOCH. A newer epoch must
/// start at sequence 0. In the same epoch the first sequence must follow the last one (wrapping
/// after <see cref="int.MaxValue"/>). A producer the partition does not know (never seen or
/// expired) may start at any sequence. As in Kafka since KIP-360, a producer's state outlives the
/// deletion of its batches by retention; only <c>producer.id.expiration.ms</c> removes it.</para>
/// <para>Not thread-safe: <see cref="Log.PartitionLog"/> calls it under its append lock, checking
/// before the write and recording after it.</para>
/// </remarks>
public sealed class ProducerStateManager
{
    /// <summary>Kafka's <c>NUM_BATCHES_TO_RETAIN</c>: librdkafka and the Java client keep at most five requests in flight.</summary>
    public const int BatchesToRetain = 5;

    private readonly Dictionary<long, ProducerStateEntry> _producers = [];

    /// <summary>Open transactions by first offset (Kafka's <c>ongoingTxns</c>): the smallest bounds the last stable offset.</summary>
    private readonly SortedSet<(long FirstOffset, long ProducerId)> _ongoing = [];

    /// <summary>Producers with state in this partition.</summary>
    public int Count => _producers.Count;

    /// <summary>The state of <paramref name="producerId"/>, or null.</summary>
    public ProducerStateEntry? Get(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>
    /// What an append of the batch described by <paramref name="header"/> must do. Batches the broker's
    /// own coordinators write for a producer (<paramref name="fromCoordinator"/>: transactional offsets,
    /// markers) carry no client sequence, so only the epoch is checked (Kafka's <c>AppendOrigin.COORDINATOR</c>).
    /// </summary>
    public ProducerCheck Check(in RecordBatchHeader header, bool fromCoordinator = false)
    {
        if (header.ProducerId < 0 || !_producers.TryGetValue(header.ProducerId, out var entry))
        {
            return ProducerCheck.Append;
        }

        if (header.IsControl || fromCoordinator)
        {
            // Markers come from the transaction coordinator: no sequence, but a fenced epoch is refused.
            return header.ProducerEpoch < entry.Epoch
                ? new ProducerCheck(ProducerCheckResult.InvalidProducerEpoch, default,
                    $"Marker epoch {header.ProducerEpoch} of producer {header.ProducerId} is older than its current epoch {entry.Epoch}")
                : ProducerCheck.Append;
        }

        if (!header.IsTransactional && entry.CurrentTxnFirstOffset >= 0)
        {
            return new ProducerCheck(ProducerCheckResult.InvalidTxnState, default,
                $"Expected a transactional write from producer {header.ProducerId}: it has a transaction open since offset {entry.CurrentTxnFirstOffset}");
        }

        var firstSequence = header.BaseSequence;
        var lastSequence = LastSequence(header);
        if (header.ProducerEpoch == entry.Epoch && entry.FindBatch(firstSequence, lastSequence) is { } duplicate)
        {
            return ProducerCheck.DuplicateOf(duplicate);
        }

        if (header.ProducerEpoch < entry.Epoch)
        {
            return new ProducerCheck(ProducerCheckResult.InvalidProducerEpoch, default,
                $"Epoch {header.ProducerEpoch} of producer {header.ProducerId} is older than its current epoch {entry.Epoch}");
        }

        if (header.ProducerEpoch > entry.Epoch)
        {
            return firstSequence == 0
                ? ProducerCheck.Append
                : new ProducerCheck(ProducerCheckResult.OutOfOrderSequence, default,
                    $"Invalid sequence number {firstSequence} for new epoch {header.ProducerEpoch} of producer {header.ProducerId} (must be 0)");
        }

        // A known producer with no batch in this epoch (Kafka's NO_SEQUENCE) must start at 0.
        var expected = entry.LastSequence is int last ? NextSequence(last) : 0;
        return firstSequence == expected
            ? ProducerCheck.Append
            : new ProducerCheck(ProducerCheckResult.OutOfOrderSequence, default,
                $"Out of order sequence number for producer {header.ProducerId} at epoch {header.ProducerEpoch}: {firstSequence} (incoming), {entry.LastSequence} (last appended)");
    }

    /// <summary>
    /// Records an appended (or replayed) batch at <paramref name="firstOffset"/>..<paramref name="lastOffset"/>:
    /// a transactional data batch opens the producer's transaction if none is open; a control batch
    /// with a <paramref name="marker"/> closes it. Returns the transaction a marker completed, or null.
    /// </summary>
    public CompletedTransaction? Record(in RecordBatchHeader header, long firstOffset, long lastOffset, TransactionMarker? marker = null)
    {
        if (header.ProducerId < 0)
        {
            return null;
        }

        if (!_producers.TryGetValue(header.ProducerId, out var entry))
        {
            entry = new ProducerStateEntry(header.ProducerId);
            _producers.Add(header.ProducerId, entry);
        }

        if (header.ProducerEpoch != entry.Epoch)
        {
            entry.Reset(header.ProducerEpoch);
        }

        entry.LastTimestamp = header.MaxTimestamp;
        if (!header.IsControl)
        {
            entry.Add(new ProducerBatch(header.BaseSequence, LastSequence(header), firstOffset, lastOffset, header.MaxTimestamp));
            if (header.IsTransactional && entry.CurrentTxnFirstOffset < 0)
            {
                entry.CurrentTxnFirstOffset = firstOffset;
                _ongoing.Add((firstOffset, entry.ProducerId));
            }

            return null;
        }

        if (marker is not { } end)
        {
            // An emptied control batch (the cleaner removed its record) completes nothing.
            return null;
        }

        entry.CoordinatorEpoch = end.CoordinatorEpoch;
        if (entry.CurrentTxnFirstOffset < 0)
        {
            return null;
        }

        var completed = new CompletedTransaction(entry.ProducerId, entry.CurrentTxnFirstOffset, lastOffset, end.Type == ControlRecordType.Abort);
        _ongoing.Remove((entry.CurrentTxnFirstOffset, entry.ProducerId));
        entry.CurrentTxnFirstOffset = -1;
        return completed;
    }

    /// <summary>The first offset of the oldest open transaction (Kafka's <c>firstUnstableOffset</c>), or null.</summary>
    public long? FirstUnstableOffset => _ongoing.Count == 0 ? null : _ongoing.Min.FirstOffset;

    /// <summary>
    /// Kafka's <c>removeExpiredProducers</c>: forgets producers whose last batch is older than
    /// <c>producer.id.expiration.ms</c>. Returns how many went.
    /// </summary>
    public int RemoveExpired(long nowMs, long expirationMs)
    {
        var removed = 0;
        foreach (var (id, entry) in _producers)
        {
            // A producer with an open transaction never expires here (its coordinator ends it).
            if (entry.CurrentTxnFirstOffset < 0 && nowMs - entry.LastTimestamp >= expirationMs && _producers.Remove(id))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Producer id → its last data offset and epoch (Kafka's <c>lastRecordsOfActiveProducers</c>).</summary>
    public Dictionary<long, ProducerLastRecord> LastRecords()
    {
        var records = new Dictionary<long, ProducerLastRecord>(_producers.Count);
        foreach (var (id, entry) in _producers)
        {
            records[id] = new ProducerLastRecord(entry.LastOffset, entry.Epoch);
        }

        return records;
    }

    /// <summary>Forgets everything (truncation rebuilds from the log).</summary>
    public void Clear()
    {
        _producers.Clear();
        _ongoing.Clear();
    }

    /// <summary>A deep copy of every entry, for a snapshot written after the caller lets go of its lock.</summary>
    public List<ProducerStateEntry> CopyEntries()
    {
        var copy = new List<ProducerStateEntry>(_producers.Count);
        foreach (var entry in _producers.Values)
        {
            var clone = new ProducerStateEntry(entry.ProducerId)
            {
                LastTimestamp = entry.LastTimestamp,
                CurrentTxnFirstOffset = entry.CurrentTxnFirstOffset,
                CoordinatorEpoch = entry.CoordinatorEpoch,
            };
            clone.Reset(entry.Epoch);
            foreach (var batch in entry.Batches)
            {
                clone.Add(batch);
            }

            copy.Add(clone);
        }

        return copy;
    }

    /// <summary>Replaces the state with <paramref name="entries"/> (loaded from a snapshot).</summary>
    public void Load(IEnumerable<ProducerStateEntry> entries)
    {
        Clear();
        foreach (var entry in entries)
        {
            _producers[entry.ProducerId] = entry;
            if (entry.CurrentTxnFirstOffset >= 0)
            {
                _ongoing.Add((entry.CurrentTxnFirstOffset, entry.ProducerId));
            }
        }
    }

    /// <summary>The last sequence of a batch: base + last offset delta, wrapping past <see cref="int.MaxValue"/> to 0 as Kafka's <c>incrementSequence</c>.</summary>
    public static int LastSequence(in RecordBatchHeader header) => Increment(header.BaseSequence, header.LastOffsetDelta);

    private static int NextSequence(int sequence) => Increment(sequence, 1);

    private static int Increment(int sequence, int increment) =>
        sequence > int.MaxValue - increment ? increment - (int.MaxValue - sequence) - 1 : sequence + increment;
}
