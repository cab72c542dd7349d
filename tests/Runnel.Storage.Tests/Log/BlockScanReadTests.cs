using CsCheck;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Log;

/// <summary>
/// Reads walk batch headers a block (8 KiB) at a time from an index entry and serve what the walk read
/// from that block: with sparse indexes, batches straddling block boundaries and batches larger than a
/// block, every read still returns exactly the stored batches a brute-force walk picks.
/// </summary>
public sealed class BlockScanReadTests
{
    private static readonly Gen<(int Records, int ValueSize)> GenBatch =
        Gen.OneOf(
            Gen.Select(Gen.Int[1, 4], Gen.Int[0, 300]),
            Gen.Select(Gen.Int[1, 2], Gen.Int[2_000, 20_000]));

    private static readonly Gen<(int Interval, (int Records, int ValueSize)[] Batches)> GenLog =
        Gen.Select(Gen.OneOf(Gen.Const(4096), Gen.Const(1 << 20), Gen.Int[1, 20_000]), GenBatch.Array[1, 80]);

    [Fact]
    public async Task Every_offset_and_size_limit_reads_the_batches_a_brute_force_walk_picks()
    {
        await GenLog.SampleAsync(async sample =>
        {
            using var fx = new LogFixture();
            var config = LogConfig.Default with { IndexIntervalBytes = sample.Interval, SegmentBytes = 8 << 20 };
            var log = fx.Open(config);
            foreach (var (records, valueSize) in sample.Batches)
            {
                LogFixture.Append(log, records, 1_000, valueSize);
            }

            using (var all = log.Read(0, int.MaxValue, long.MaxValue, minOneBatch: true))
            {
                var stored = all.Data.ToArray();
                var batches = Walk(stored);
                Assert.Equal(sample.Batches.Length, batches.Count);
                foreach (var limit in new[] { 1, 100, 5_000, 9_000, 40_000, int.MaxValue })
                {
                    for (var offset = 0L; offset < log.LogEndOffset; offset++)
                    {
                        using var read = log.Read(offset, limit, long.MaxValue, minOneBatch: true);
                        Assert.Equal(Expected(stored, batches, offset, limit), read.Data.ToArray());
                    }
                }
            }

            await log.CloseAsync();
        }, iter: 25);
    }

    /// <summary>Position, size and last offset of each batch in <paramref name="stored"/>.</summary>
    private static List<(int Position, int Size, long LastOffset)> Walk(byte[] stored)
    {
        var batches = new List<(int, int, long)>();
        for (var position = 0; position < stored.Length;)
        {
            var header = RecordBatchHeader.Read(stored.AsSpan(position));
            batches.Add((position, header.TotalSize, header.LastOffset));
            position += header.TotalSize;
        }

        return batches;
    }

    /// <summary>Whole batches from the one holding <paramref name="offset"/> within <paramref name="limit"/> bytes, the first one regardless.</summary>
    private static byte[] Expected(byte[] stored, List<(int Position, int Size, long LastOffset)> batches, long offset, int limit)
    {
        var first = batches.FindIndex(b => b.LastOffset >= offset);
        var end = first + 1;
        var bytes = (long)batches[first].Size;
        while (end < batches.Count && bytes + batches[end].Size <= limit)
        {
            bytes += batches[end].Size;
            end++;
        }

        return stored.AsSpan(batches[first].Position, (int)bytes).ToArray();
    }
}
