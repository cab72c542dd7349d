using CsCheck;
using Runnel.Protocol.Records;
using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>
/// Random produce / roll / clean / time sequences against a model (every appended record by offset),
/// with a map of 3 keys so most cleans need several passes: after each clean the log holds exactly
/// the appended records at their offsets, in order, with the latest record of every key, each key at
/// most once below the new first dirty offset; the active segment is untouched; and the log reads the
/// same after an unclean reopen.
/// </summary>
public sealed class CleanerPropertyTests
{
    private abstract record Step;

    private sealed record Produce((int? Key, bool Tombstone)[] Records, CompressionType Compression) : Step;

    private sealed record Roll : Step;

    private sealed record Clean : Step;

    private sealed record AdvanceTime(int Ms) : Step;

    private static readonly Gen<(int? Key, bool Tombstone)> GenRecord =
        Gen.Select(Gen.Int[0, 7].Select(k => k == 7 ? (int?)null : k), Gen.Int[0, 5].Select(t => t == 0));

    private static readonly Gen<Step> GenStep = Gen.Frequency(
        (6, Gen.Select(GenRecord.Array[1, 4], Gen.OneOfConst(CompressionType.None, CompressionType.Gzip, CompressionType.Lz4))
            .Select(t => (Step)new Produce(t.Item1, t.Item2))),
        (2, Gen.Const((Step)new Roll())),
        (2, Gen.Const((Step)new Clean())),
        (1, Gen.Int[0, 1_500].Select(ms => (Step)new AdvanceTime(ms))));

    [Fact]
    public async Task Cleaning_keeps_the_latest_record_of_every_key_under_random_histories()
    {
        await GenStep.Array[5, 40].SampleAsync(async steps =>
        {
            using var fx = new LogFixture();
            var config = LogConfig.Default with { FileDeleteDelayMs = 0, DeleteRetentionMs = 1_000, IndexIntervalBytes = 64 };
            var log = fx.Open(config);
            var cleaner = new LogCleaner(CleanerOptions.Default with { DedupeBufferSize = 4 * OffsetMap.SlotSize }, fx.Fs);
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
                    case Roll:
                        log.Roll();
                        break;
                    case AdvanceTime advance:
                        fx.Time.Advance(TimeSpan.FromMilliseconds(advance.Ms));
                        break;
                    default:
                        var active = log.Segments.Active;
                        var activeSize = active.Size;
                        var stats = cleaner.Clean(log, fx.Time.GetUtcNow());
                        Assert.Same(active, log.Segments.Active);
                        Assert.Equal(activeSize, active.Size);
                        Assert.Equal(active.BaseOffset, stats.NewFirstDirtyOffset);
                        cleanEnd = stats.NewFirstDirtyOffset;
                        KeyedLog.AssertCompacted(KeyedLog.ReadAll(log).Records, appended, cleanEnd);
                        break;
                }
            }

            var before = KeyedLog.ReadAll(log).Records;
            KeyedLog.AssertCompacted(before, appended, cleanEnd);
            await log.FlushAsync(TestContext.Current.CancellationToken);
            await log.CloseAsync();
            var reopened = fx.Open(config, recoveryPoint: 0, hadCleanShutdown: false);
            Assert.Equal(before, KeyedLog.ReadAll(reopened).Records);
            Assert.Equal(appended.Count == 0 ? 0 : appended[^1].Offset + 1, reopened.LogEndOffset);
            await reopened.CloseAsync();
        }, iter: 80);
    }
}
