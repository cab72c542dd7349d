using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Protocol.Records;
using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.TestKit;

/// <summary>
/// One partition of committed records interleaved with three aborted transactions and a committed
/// one, its markers written as the transaction coordinator writes them. The storage, integration and
/// compatibility tests of read_committed all read this log:
/// <code>
/// offset  record  producer
///   0     c0      -                         (padded)
///   1     a1-0    P1 opens T1               (padded)
///   2     a1-1    P1                        (padded)
///   3     c1      -
///   4     a1-2    P1
///   5     ABORT   P1: T1 = [1, 5], last stable offset 6
///   6     a2-0    P2 opens T2
///   7     a3-0    P3 opens T3
///   8     t1-0    P1 opens T4
///   9     a3-1    P3
///  10     a2-1    P2
///  11     ABORT   P3: T3 = [7, 11], last stable offset 6 (T2 is open since 6)
///  12     COMMIT  P1: T4
///  13     c2      -
///  14     a2-2    P2
///  15     ABORT   P2: T2 = [6, 15], last stable offset 16
///  16     c3      -
/// </code>
/// T2 and T3 overlap, and T2 starts first but aborts last, so the aborted-transaction list sorted by
/// first offset (T2 before T3) differs from marker order (T3 before T2): KafkaJS, which only checks
/// the head of the list, needs the former. Records are keyed by their value; the first three batches
/// carry a <see cref="PaddingBytes"/>-byte header so a fetch size can end a fetch inside T1.
/// </summary>
public static class AbortedTransactionsScenario
{
    public const long P1 = 9001;
    public const long P2 = 9002;
    public const long P3 = 9003;

    /// <summary>Size of the "padding" header of the first three batches.</summary>
    public const int PaddingBytes = 2000;

    public const long LogEndOffset = 17;

    /// <summary>What a read_committed consumer must see, in order.</summary>
    public static IReadOnlyList<string> CommittedValues { get; } = ["c0", "c1", "t1-0", "c2", "c3"];

    /// <summary>What a read_uncommitted consumer must see, in order: every data record.</summary>
    public static IReadOnlyList<string> AllValues { get; } =
        ["c0", "a1-0", "a1-1", "c1", "a1-2", "a2-0", "a3-0", "t1-0", "a3-1", "a2-1", "c2", "a2-2", "c3"];

    /// <summary>The aborted-transaction index the log must hold, in marker order.</summary>
    public static IReadOnlyList<AbortedTransaction> Index { get; } =
    [
        new(P1, FirstOffset: 1, LastOffset: 5, LastStableOffset: 6),
        new(P3, FirstOffset: 7, LastOffset: 11, LastStableOffset: 6),
        new(P2, FirstOffset: 6, LastOffset: 15, LastStableOffset: 16),
    ];

    /// <summary>The 17 batches in offset order (fresh arrays: an append patches its bytes).</summary>
    public static List<byte[]> Batches(long timestamp)
    {
        var sequences = new Dictionary<long, int>();
        byte[] Plain(string value, bool padded = false) => Record(new RecordBatchBuilder(), value, padded, timestamp);
        byte[] Transactional(long producerId, string value, bool padded = false)
        {
            var sequence = sequences.GetValueOrDefault(producerId);
            sequences[producerId] = sequence + 1;
            return Record(new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = 0, BaseSequence = sequence, IsTransactional = true }, value, padded, timestamp);
        }

        byte[] Marker(long producerId, ControlRecordType type) =>
            new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = 0 }.AppendEndTransactionMarker(type, coordinatorEpoch: 0, timestamp).ToArray();

        return
        [
            Plain("c0", padded: true),
            Transactional(P1, "a1-0", padded: true),
            Transactional(P1, "a1-1", padded: true),
            Plain("c1"),
            Transactional(P1, "a1-2"),
            Marker(P1, ControlRecordType.Abort),
            Transactional(P2, "a2-0"),
            Transactional(P3, "a3-0"),
            Transactional(P1, "t1-0"),
            Transactional(P3, "a3-1"),
            Transactional(P2, "a2-1"),
            Marker(P3, ControlRecordType.Abort),
            Marker(P1, ControlRecordType.Commit),
            Plain("c2"),
            Transactional(P2, "a2-2"),
            Marker(P2, ControlRecordType.Abort),
            Plain("c3"),
        ];
    }

    /// <summary>Appends the batches to an empty log, one append each, and checks each landed at its offset.</summary>
    public static void AppendTo(PartitionLog log, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(log);
        var batches = Batches(timestamp);
        for (var offset = 0; offset < batches.Count; offset++)
        {
            var result = log.Append(batches[offset], leaderEpoch: 0, useLogAppendTime: false);
            if (result.FirstOffset != offset)
            {
                throw new InvalidOperationException($"Batch {offset} of the scenario was appended at {result.FirstOffset} ({result.Producer.Result}).");
            }
        }
    }

    /// <summary>
    /// Writes the scenario as partition 0 of <paramref name="topic"/> into
    /// <paramref name="partitionDirectory"/> through a log opened and cleanly closed here, for a
    /// broker (or a tool) that reads the directory afterwards.
    /// </summary>
    public static async Task WriteAsync(string partitionDirectory, string topic)
    {
        var log = PartitionLog.Open(new TopicPartition(topic, 0), partitionDirectory, LogConfig.Default, PhysicalFileSystem.Instance,
            TimeProvider.System, NullLoggerFactory.Instance, recoveryPoint: 0, logStartOffset: 0, hadCleanShutdown: true);
        AppendTo(log, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await log.CloseAsync();
    }

    private static byte[] Record(RecordBatchBuilder builder, string value, bool padded, long timestamp)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var headers = padded ? new[] { new RecordHeaderEntry("padding", Encoding.ASCII.GetBytes(new string('.', PaddingBytes))) } : null;
        return builder.Append(timestamp, bytes, bytes, headers).ToArray();
    }
}
