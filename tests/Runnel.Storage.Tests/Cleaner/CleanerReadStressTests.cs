using Runnel.Protocol.Records;
using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Cleaner;

public sealed class CleanerReadStressTests : IDisposable
{
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    /// <summary>
    /// Segments left holding only emptied batches (one per cleaned group) must not make a read return
    /// nothing but empty batches: clients see such a response as "message too large".
    /// </summary>
    [Fact]
    public void A_read_goes_past_segments_whose_batches_were_all_emptied()
    {
        // Segments too small for two batches, so cleaned segments are never merged.
        var log = _fx.Open(LogConfig.Default with { Compact = true, RetentionMs = -1, FileDeleteDelayMs = 0, SegmentBytes = 100 });
        var cleaner = new LogCleaner(CleanerOptions.Default with { DedupeBufferSize = 1 << 20 }, _fx.Fs);
        for (var round = 0; round < 4; round++)
        {
            // Each round's segment is cleaned on its own, then emptied by the next round.
            KeyedLog.Append(log, _fx.NowMs, CompressionType.None, ("a", $"a{round}"), ("b", $"b{round}"));
            log.Roll();
            cleaner.Clean(log, _fx.Time.GetUtcNow());
        }

        KeyedLog.Append(log, _fx.NowMs, CompressionType.None, ("c", "active"));
        Assert.Equal(5, log.SegmentCount);
        Assert.Equal([0, 0, 0, 2, 1], KeyedLog.ReadAll(log).Batches.Select(b => b.RecordCount));

        using var result = log.Read(0, 1024 * 1024, long.MaxValue, minOneBatch: true);

        var headers = TestBatches.Headers(result.Data.Span);
        Assert.Contains(headers, h => h.RecordCount > 0);
        Assert.Equal(0, headers[0].BaseOffset);
    }

    /// <summary>
    /// Emptied batches followed, in the same segment, by a batch too large for the read's budget: the
    /// read must bring that batch (whole), not jump to the next segment and skip it.
    /// </summary>
    [Fact]
    public void A_small_read_over_emptied_batches_does_not_skip_the_rest_of_their_segment()
    {
        var big = new string('z', 5000);
        var config = LogConfig.Default with { Compact = true, RetentionMs = -1, FileDeleteDelayMs = 0, SegmentBytes = 5400 };
        var log = _fx.Open(config);
        for (var producer = 1; producer <= 3; producer++)
        {
            // Each producer's only batch is its last: the cleaner keeps it, emptied.
            log.Append(new RecordBatchBuilder { ProducerId = producer, ProducerEpoch = 0, BaseSequence = 0 }
                .Append(1_000, "x"u8.ToArray(), "old"u8.ToArray()).ToArray(), 1, false);
        }

        KeyedLog.Append(log, ("z", big));
        log.Roll();
        KeyedLog.Append(log, ("x", "new"));
        log.Roll();
        KeyedLog.Append(log, ("c", "active"));
        new LogCleaner(CleanerOptions.Default with { DedupeBufferSize = 1 << 20 }, _fx.Fs).Clean(log, _fx.Time.GetUtcNow());
        Assert.Equal([0, 0, 0, 1, 1, 1], KeyedLog.ReadAll(log).Batches.Select(b => b.RecordCount));

        using var result = log.Read(0, 1000, long.MaxValue, minOneBatch: true);

        var headers = TestBatches.Headers(result.Data.Span);
        Assert.Equal([0L, 1L, 2L, 3L], headers.Select(h => h.BaseOffset));
        Assert.Equal(1, headers[^1].RecordCount);
    }

    [Fact]
    public async Task Reads_during_cleaning_return_whole_valid_batches()
    {
        var log = _fx.Open(LogConfig.Default with { Compact = true, RetentionMs = -1, SegmentBytes = 256 * 1024 });
        var padding = new string('x', 400);
        for (var round = 0; round < 6; round++)
        {
            for (var chunk = 0; chunk < 3; chunk++)
            {
                var records = Enumerable.Range(chunk * 500, 500).Select(k => ((string?)$"key-{k}", (string?)$"r{round}-{padding}")).ToArray();
                KeyedLog.Append(log, _fx.NowMs, CompressionType.None, records);
            }
        }

        using var stop = new CancellationTokenSource();
        var cleaning = Task.Run(() =>
        {
            var cleaner = new LogCleaner(CleanerOptions.Default with { DedupeBufferSize = 1 << 20 }, _fx.Fs);
            for (var i = 0; i < 20 && !stop.IsCancellationRequested; i++)
            {
                var padding2 = new string('y', 400);
                KeyedLog.Append(log, _fx.NowMs, CompressionType.None, Enumerable.Range(0, 500).Select(k => ((string?)$"key-{k}", (string?)$"c{i}-{padding2}")).ToArray());
                cleaner.Clean(log, _fx.Time.GetUtcNow());
            }
        }, TestContext.Current.CancellationToken);

        var problems = new List<string>();
        while (!cleaning.IsCompleted)
        {
            var next = log.LogStartOffset;
            var end = log.LogEndOffset;
            while (next < end)
            {
                using var result = log.Read(next, 1024 * 1024, long.MaxValue, minOneBatch: true);
                var data = result.Data.Span;
                if (data.Length == 0)
                {
                    break;
                }

                var position = 0;
                var last = next - 1;
                while (position < data.Length)
                {
                    if (data.Length - position < RecordBatchHeader.Size)
                    {
                        problems.Add($"read at {next}: {data.Length - position} trailing bytes at {position} of {data.Length}");
                        break;
                    }

                    var header = RecordBatchHeader.Read(data[position..]);
                    if (header.TotalSize > data.Length - position)
                    {
                        if (position == 0)
                        {
                            problems.Add($"read at {next}: first batch {header.BaseOffset}-{header.LastOffset} of {header.TotalSize} bytes, only {data.Length}");
                        }

                        break;
                    }

                    if (!RecordBatchHeader.HasValidCrc(data.Slice(position, header.TotalSize)))
                    {
                        problems.Add($"read at {next}: batch {header.BaseOffset} bad CRC");
                    }

                    last = header.LastOffset;
                    position += header.TotalSize;
                }

                if (last < next)
                {
                    problems.Add($"read at {next}: no progress ({data.Length} bytes)");
                    break;
                }

                next = last + 1;
            }

            if (problems.Count > 0)
            {
                await stop.CancelAsync();
                break;
            }
        }

        await cleaning;
        Assert.Empty(problems);
    }
}
