using Runnel.Protocol.Records;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>What consumers read from a log that holds transactions, and the log's aborted-transaction index as its files hold it.</summary>
internal static class TransactionalRead
{
    /// <summary>Every data record up to the log end offset, as a read_uncommitted consumer gets them (control records left out).</summary>
    public static List<StoredRecord> Uncommitted(PartitionLog log) => Read(log, log.LogEndOffset, filterAborted: false);

    /// <summary>
    /// The data records a read_committed consumer gets (Kafka's Java client,
    /// <c>CompletedFetch.nextFetchedRecord</c>): up to the last stable offset; the partition's aborted
    /// transactions, sorted by first offset, mark their producer aborted from the batch that reaches
    /// their first offset until the producer's ABORT marker; transactional batches of an aborted
    /// producer and every control batch are skipped.
    /// </summary>
    public static List<StoredRecord> Committed(PartitionLog log) => Read(log, log.LastStableOffset, filterAborted: true);

    /// <summary>The entries of every <c>.txnindex</c> file in <paramref name="directory"/>, in offset order.</summary>
    public static List<AbortedTransaction> IndexFiles(string directory)
    {
        var entries = new List<AbortedTransaction>();
        foreach (var file in Directory.GetFiles(directory, "*" + LogSegment.TxnIndexExtension).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.Equal(0, bytes.Length % TransactionIndex.EntrySize);
            for (var position = 0; position < bytes.Length; position += TransactionIndex.EntrySize)
            {
                entries.Add(TransactionIndex.Decode(bytes.AsSpan(position, TransactionIndex.EntrySize), out _));
            }
        }

        return entries;
    }

    /// <summary>The in-memory aborted transactions equal the files' entries whose markers are at or above the log start offset.</summary>
    public static void AssertIndexMatchesFiles(PartitionLog log, string directory) =>
        Assert.Equal(IndexFiles(directory).Where(e => e.LastOffset >= log.LogStartOffset), log.GetAbortedTransactions());

    private static List<StoredRecord> Read(PartitionLog log, long end, bool filterAborted)
    {
        List<AbortedTransaction>? aborted = null;
        if (filterAborted)
        {
            log.CollectAbortedTransactions(log.LogStartOffset, end, ref aborted);
        }

        var pending = new Queue<AbortedTransaction>(aborted ?? []);
        var abortedProducers = new HashSet<long>();
        var (batches, records) = KeyedLog.ReadAll(log);
        var byBatch = records.ToLookup(r => r.BatchBaseOffset);
        var result = new List<StoredRecord>();
        foreach (var batch in batches.Where(b => b.BaseOffset < end))
        {
            if (filterAborted && batch.ProducerId >= 0)
            {
                while (pending.TryPeek(out var next) && next.FirstOffset <= batch.LastOffset)
                {
                    abortedProducers.Add(pending.Dequeue().ProducerId);
                }

                if (batch.IsControl && IsAbortMarker(log, batch))
                {
                    abortedProducers.Remove(batch.ProducerId);
                }
                else if (batch.IsTransactional && abortedProducers.Contains(batch.ProducerId))
                {
                    continue;
                }
            }

            if (!batch.IsControl)
            {
                result.AddRange(byBatch[batch.BaseOffset]);
            }
        }

        return result;
    }

    private static bool IsAbortMarker(PartitionLog log, RecordBatchHeader header)
    {
        using var read = log.Read(header.BaseOffset, header.TotalSize, long.MaxValue, minOneBatch: true);
        return TransactionMarker.TryRead(read.Data.Span) is { Type: ControlRecordType.Abort };
    }
}
