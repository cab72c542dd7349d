using CsCheck;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Log;

/// <summary>Offset and timestamp lookups through the indexes agree with brute force over the appended batches.</summary>
public sealed class IndexPropertyTests
{
    private static readonly Gen<(int Records, long Timestamp, int ValueSize)> GenBatch =
        Gen.Select(Gen.Int[1, 5], Gen.Long[0, 1000], Gen.Int[0, 200]);

    private static readonly Gen<(int Interval, int SegmentBytes, (int Records, long Timestamp, int ValueSize)[] Batches)> GenLog =
        Gen.Select(Gen.Int[1, 600], Gen.Int[300, 3000], GenBatch.Array[1, 40]);

    [Fact]
    public async Task Offset_and_timestamp_lookups_match_brute_force_before_and_after_reopening()
    {
        await GenLog.SampleAsync(async sample =>
        {
            using var fx = new LogFixture();
            var config = LogConfig.Default with { IndexIntervalBytes = sample.Interval, SegmentBytes = sample.SegmentBytes };
            var log = fx.Open(config);
            var expected = new List<(long Base, long Last, long MaxTimestamp)>();
            foreach (var (records, timestamp, valueSize) in sample.Batches)
            {
                var result = LogFixture.Append(log, records, timestamp, valueSize);
                expected.Add((result.FirstOffset, result.LastOffset, timestamp));
            }

            Check(log, expected);
            await log.CloseAsync();

            var reopened = fx.Open(config, hadCleanShutdown: true);
            Check(reopened, expected);
            await reopened.CloseAsync();

            var recovered = fx.Open(config, recoveryPoint: 0, hadCleanShutdown: false);
            Check(recovered, expected);
            await recovered.CloseAsync();
        }, iter: 60);
    }

    private static void Check(PartitionLog log, List<(long Base, long Last, long MaxTimestamp)> expected)
    {
        Assert.Equal(expected[^1].Last + 1, log.LogEndOffset);
        for (var offset = 0L; offset < log.LogEndOffset; offset++)
        {
            using var read = log.Read(offset, 1, long.MaxValue, minOneBatch: true);
            var header = RecordBatchHeader.Read(read.Data.Span);
            var batch = expected.First(b => b.Last >= offset);
            Assert.Equal(batch.Base, header.BaseOffset);
        }

        var probes = expected.SelectMany(b => new[] { b.MaxTimestamp - 1, b.MaxTimestamp, b.MaxTimestamp + 1 }).Append(-5).Append(2000);
        foreach (var target in probes)
        {
            using var found = log.FindFirstBatchWithMaxTimestampAtLeast(target);
            var brute = expected.FindIndex(b => b.MaxTimestamp >= target);
            Assert.Equal(brute < 0 ? (long?)null : expected[brute].Base, found?.BaseOffset);
        }

        var max = expected.Max(b => b.MaxTimestamp);
        Assert.Equal((expected.First(b => b.MaxTimestamp == max).Base, max), log.GetMaxTimestampBatch());
    }
}
