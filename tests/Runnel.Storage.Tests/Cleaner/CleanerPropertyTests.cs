using CsCheck;
using Runnel.Protocol.Records;
using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>
/// Random histories of plain and transactional produces, commits, aborts, rolls, cleans, clock jumps
/// and unclean reopens against a model (every appended record by offset, and which were aborted),
/// with a map of 3 keys so most cleans need several passes and small segments so they clean several
/// groups. After each clean: the log holds only appended records, at their offsets, in order; no
/// aborted record is left below the new first dirty offset and nothing at or above it was touched
/// (it stops at the segment holding the last stable offset); a read_committed reader sees no aborted
/// record and the latest committed record of every key, each key at most once below the first dirty
/// offset; the aborted-transaction index in memory matches its files. A reopen replays the producer
/// state from the compacted log: it reads the same, and every producer keeps its epoch, last sequence
/// and open transaction (its next batches are accepted).
/// </summary>
public sealed class CleanerPropertyTests
{
    private abstract record Step;

    private sealed record Produce((int? Key, bool Tombstone)[] Records, CompressionType Compression) : Step;

    private sealed record ProduceInTransaction(int Producer, int[] Keys, CompressionType Compression) : Step;

    private sealed record EndTransaction(int Producer, bool Commit) : Step;

    private sealed record Roll : Step;

    private sealed record Clean : Step;

    private sealed record AdvanceTime(int Ms) : Step;

    private sealed record Reopen : Step;

    private static readonly Gen<(int? Key, bool Tombstone)> GenRecord =
        Gen.Select(Gen.Int[0, 7].Select(k => k == 7 ? (int?)null : k), Gen.Int[0, 5].Select(t => t == 0));

    private static readonly Gen<CompressionType> GenCompression = Gen.OneOfConst(CompressionType.None, CompressionType.Gzip, CompressionType.Lz4);

    private static readonly Gen<Step> GenStep = Gen.Frequency(
        (5, Gen.Select(GenRecord.Array[1, 4], GenCompression).Select(t => (Step)new Produce(t.Item1, t.Item2))),
        (4, Gen.Select(Gen.Int[0, 2], Gen.Int[0, 6].Array[1, 3], GenCompression).Select(t => (Step)new ProduceInTransaction(t.Item1, t.Item2, t.Item3))),
        (3, Gen.Select(Gen.Int[0, 2], Gen.Bool).Select(t => (Step)new EndTransaction(t.Item1, t.Item2))),
        (2, Gen.Const((Step)new Roll())),
        (2, Gen.Const((Step)new Clean())),
        (1, Gen.Int[0, 1_500].Select(ms => (Step)new AdvanceTime(ms))),
        (1, Gen.Const((Step)new Reopen())));

    private static readonly LogConfig Config = LogConfig.Default with { FileDeleteDelayMs = 0, DeleteRetentionMs = 1_000, IndexIntervalBytes = 64, SegmentBytes = 600 };

    [Fact]
    public async Task Cleaning_keeps_the_latest_committed_record_of_every_key_under_random_histories()
    {
        await GenStep.Array[5, 50].SampleAsync(async steps =>
        {
            using var fx = new LogFixture();
            var log = fx.Open(Config);
            var cleaner = new LogCleaner(CleanerOptions.Default with { DedupeBufferSize = 4 * OffsetMap.SlotSize }, fx.Fs);
            TransactionalProducer[] producers = [new(log, 11), new(log, 12, epoch: 3), new(log, 13, epoch: 7)];
            var appended = new List<StoredRecord>();
            var value = 0;
            long cleanEnd = 0;
            foreach (var step in steps)
            {
                switch (step)
                {
                    case Produce produce:
                        var records = produce.Records
                            .Select(r => (r.Key is { } k ? $"k{k}" : null, r.Tombstone && r.Key is not null ? null : $"v{value++}"))
                            .ToArray();
                        appended.AddRange(KeyedLog.Append(log, fx.NowMs, produce.Compression, records));
                        break;
                    case ProduceInTransaction send:
                        appended.AddRange(producers[send.Producer].Send(fx.NowMs, send.Compression, send.Keys.Select(k => ($"k{k}", (string?)$"t{value++}")).ToArray()));
                        break;
                    case EndTransaction end:
                        // A marker without an open transaction is what a coordinator writes to a partition the
                        // transaction added but never wrote to: it completes nothing.
                        _ = end.Commit ? producers[end.Producer].Commit(fx.NowMs) : producers[end.Producer].Abort(fx.NowMs);
                        break;
                    case Roll:
                        log.Roll();
                        break;
                    case AdvanceTime advance:
                        fx.Time.Advance(TimeSpan.FromMilliseconds(advance.Ms));
                        break;
                    case Reopen:
                        log = await ReopenAndCompareAsync(fx, log, producers);
                        break;
                    default:
                        var active = log.Segments.Active;
                        var activeSize = active.Size;
                        var expectedEnd = Math.Max(cleanEnd, FirstSegmentReaching(log, log.LastStableOffset));
                        var stats = cleaner.Clean(log, fx.Time.GetUtcNow());
                        Assert.Same(active, log.Segments.Active);
                        Assert.Equal(activeSize, active.Size);
                        Assert.Equal(expectedEnd, stats.NewFirstDirtyOffset);
                        cleanEnd = stats.NewFirstDirtyOffset;
                        AssertCleaned(log, fx.LogDirectory, appended, Aborted(producers), cleanEnd);
                        break;
                }
            }

            AssertCleaned(log, fx.LogDirectory, appended, Aborted(producers), cleanEnd);
            var reopened = await ReopenAndCompareAsync(fx, log, producers);
            await reopened.CloseAsync();
        }, iter: 80);
    }

    private static HashSet<long> Aborted(TransactionalProducer[] producers) =>
        producers.SelectMany(p => p.Aborted).Select(r => r.Offset).ToHashSet();

    /// <summary>The base offset of the first segment with an offset at or above <paramref name="offset"/> (the active segment's at most).</summary>
    private static long FirstSegmentReaching(PartitionLog log, long offset)
    {
        var segments = log.Segments;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            if (segments[i].NextOffset > offset)
            {
                return segments[i].BaseOffset;
            }
        }

        return segments.Active.BaseOffset;
    }

    private static void AssertCleaned(PartitionLog log, string directory, List<StoredRecord> appended, HashSet<long> aborted, long cleanEnd)
    {
        var uncommitted = TransactionalRead.Uncommitted(log);
        var byOffset = appended.ToDictionary(r => r.Offset);
        var present = new HashSet<long>();
        foreach (var record in uncommitted)
        {
            var original = byOffset[record.Offset];
            Assert.Equal((original.Key, original.Value), (record.Key, record.Value));
            Assert.False(record.Offset < cleanEnd && aborted.Contains(record.Offset), $"aborted record {record.Offset} below {cleanEnd}");
            present.Add(record.Offset);
        }

        Assert.All(appended.Where(r => r.Offset >= cleanEnd), r => Assert.Contains(r.Offset, present));

        var stable = log.LastStableOffset;
        var committedHistory = appended.Where(r => r.Offset < stable && !aborted.Contains(r.Offset)).ToList();
        KeyedLog.AssertCompacted(TransactionalRead.Committed(log), committedHistory, cleanEnd);
        TransactionalRead.AssertIndexMatchesFiles(log, directory);
    }

    /// <summary>Closes, reopens uncleanly (the producer state is replayed from the first segment) and checks the log reads and fences the same.</summary>
    private static async Task<PartitionLog> ReopenAndCompareAsync(LogFixture fx, PartitionLog log, TransactionalProducer[] producers)
    {
        var uncommitted = TransactionalRead.Uncommitted(log);
        var committed = TransactionalRead.Committed(log);
        var (stable, end) = (log.LastStableOffset, log.LogEndOffset);
        var states = producers.Select(p => log.GetProducerState(p.ProducerId) is { } s ? (s.Epoch, s.LastSequence, s.CurrentTxnFirstOffset) : default).ToList();
        await log.FlushAsync(TestContext.Current.CancellationToken);
        await log.CloseAsync();

        var reopened = fx.Open(Config, recoveryPoint: 0, hadCleanShutdown: false);
        Assert.Equal(uncommitted, TransactionalRead.Uncommitted(reopened));
        Assert.Equal(committed, TransactionalRead.Committed(reopened));
        Assert.Equal((stable, end), (reopened.LastStableOffset, reopened.LogEndOffset));
        Assert.Equal(states, producers.Select(p => reopened.GetProducerState(p.ProducerId) is { } s ? (s.Epoch, s.LastSequence, s.CurrentTxnFirstOffset) : default));
        TransactionalRead.AssertIndexMatchesFiles(reopened, fx.LogDirectory);
        foreach (var producer in producers)
        {
            producer.Log = reopened;
        }

        return reopened;
    }
}
