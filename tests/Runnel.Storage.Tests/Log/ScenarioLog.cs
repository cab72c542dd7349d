using Runnel.Storage.Log;
using Scenario = Runnel.TestKit.AbortedTransactionsScenario;

namespace Runnel.Storage.Tests.Log;

/// <summary>Helpers for tests of the aborted-transaction index over <see cref="Scenario"/>.</summary>
internal static class ScenarioLog
{
    /// <summary>Appends the scenario in segments [0, 6), [6, 13) and [13, 17): each abort marker in its own segment.</summary>
    public static void AppendInThreeSegments(PartitionLog log, long timestamp)
    {
        var batches = Scenario.Batches(timestamp);
        for (var offset = 0; offset < batches.Count; offset++)
        {
            if (offset is 6 or 13)
            {
                log.Roll();
            }

            Assert.Equal(offset, log.Append(batches[offset], leaderEpoch: 0, useLogAppendTime: false).FirstOffset);
        }
    }

    public static string TxnIndexFile(string directory, long baseOffset) =>
        Path.Combine(directory, LogSegment.FileName(baseOffset, LogSegment.TxnIndexExtension));

    /// <summary>The entries stored in a <c>.txnindex</c> file, decoded without the log.</summary>
    public static List<AbortedTransaction> ReadTxnIndexFile(string directory, long baseOffset)
    {
        var bytes = File.ReadAllBytes(TxnIndexFile(directory, baseOffset));
        Assert.Equal(0, bytes.Length % TransactionIndex.EntrySize);
        var entries = new List<AbortedTransaction>();
        for (var position = 0; position < bytes.Length; position += TransactionIndex.EntrySize)
        {
            entries.Add(TransactionIndex.Decode(bytes.AsSpan(position, TransactionIndex.EntrySize), out var version));
            Assert.Equal(0, version);
        }

        return entries;
    }
}
