using Runnel.Broker.Coordination;
using Runnel.Storage.Log;

namespace Runnel.Broker.Transactions;

/// <summary>
/// Keys and values of the records in <c>__transaction_state</c> (docs/formats/transaction-state.md).
/// Key: int16 version (0), transactional id. Value: int16 version (2), producer id, previous producer
/// id, epoch, last epoch, timeout, state, last update time, start time, the partitions grouped by
/// topic, then (v2) the next producer id and the client's transaction version. A null value
/// (tombstone) means the id expired.
/// </summary>
internal static class TransactionLogRecords
{
    public const short KeyVersion = 0;
    public const short ValueVersion = 2;

    /// <summary>The oldest value version readers accept (v1 lacks the TV2 fields, which default).</summary>
    public const short MinValueVersion = 1;

    public static byte[] Key(string transactionalId)
    {
        var w = new BigEndianWriter();
        w.Int16(KeyVersion);
        w.String(transactionalId);
        return w.ToArray();
    }

    public static byte[] Value(in TransactionTransit transit)
    {
        var w = new BigEndianWriter();
        w.Int16(ValueVersion);
        w.Int64(transit.ProducerId);
        w.Int64(transit.PreviousProducerId);
        w.Int16(transit.ProducerEpoch);
        w.Int16(transit.LastProducerEpoch);
        w.Int32(transit.TimeoutMs);
        w.Int8((byte)transit.State);
        w.Int64(transit.LastUpdateMs);
        w.Int64(transit.StartMs);

        var byTopic = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var partition in transit.Partitions)
        {
            if (!byTopic.TryGetValue(partition.Topic, out var list))
            {
                byTopic[partition.Topic] = list = [];
            }

            list.Add(partition.Partition);
        }

        w.Int32(byTopic.Count);
        foreach (var (topic, partitions) in byTopic)
        {
            partitions.Sort();
            w.String(topic);
            w.Int32(partitions.Count);
            foreach (var partition in partitions)
            {
                w.Int32(partition);
            }
        }

        w.Int64(transit.NextProducerId);
        w.Int8(transit.TransactionVersion);
        return w.ToArray();
    }

    /// <summary>The transactional id of a key; false for a key this version does not know (skipped, so newer records do not stop a load).</summary>
    public static bool TryReadKey(ReadOnlySpan<byte> key, out string transactionalId)
    {
        var r = new BigEndianReader(key);
        var version = r.Int16();
        transactionalId = r.String() ?? "";
        return r.Ok && version == KeyVersion && transactionalId.Length > 0;
    }

    public static bool TryReadValue(ReadOnlySpan<byte> value, out TransactionTransit transit)
    {
        transit = default;
        var r = new BigEndianReader(value);
        var version = r.Int16();
        var producerId = r.Int64();
        var previousProducerId = r.Int64();
        var epoch = r.Int16();
        var lastEpoch = r.Int16();
        var timeoutMs = r.Int32();
        var state = r.Int8();
        var lastUpdateMs = r.Int64();
        var startMs = r.Int64();
        var topics = r.Int32();

        // Every topic takes at least 6 bytes: a count beyond that is damage, not a reason to allocate.
        if (!r.Ok || version < MinValueVersion || state > (byte)TransactionState.PrepareEpochFence || topics < 0 || topics > value.Length / 6)
        {
            return false;
        }

        var partitions = new List<TopicPartition>();
        for (var t = 0; t < topics && r.Ok; t++)
        {
            var topic = r.String();
            var count = r.Int32();
            if (topic is null || count < 0 || count > value.Length / 4)
            {
                return false;
            }

            for (var i = 0; i < count && r.Ok; i++)
            {
                partitions.Add(new TopicPartition(topic, r.Int32()));
            }
        }

        var nextProducerId = -1L;
        byte transactionVersion = TransactionVersions.V1;
        if (version >= 2)
        {
            nextProducerId = r.Int64();
            transactionVersion = r.Int8();
        }

        if (!r.Ok)
        {
            return false;
        }

        transit = new TransactionTransit(producerId, previousProducerId, epoch, lastEpoch, timeoutMs, (TransactionState)state, [.. partitions], startMs, lastUpdateMs,
            nextProducerId, transactionVersion);
        return true;
    }
}
