using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Log;

public sealed class AppendReadTests : IDisposable
{
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void Append_assigns_consecutive_offsets_and_advances_log_end_offset_and_high_watermark()
    {
        var log = _fx.Open();
        var first = LogFixture.Append(log, records: 3);
        var second = LogFixture.Append(log, records: 2);

        Assert.Equal((0, 2), (first.FirstOffset, first.LastOffset));
        Assert.Equal((3, 4), (second.FirstOffset, second.LastOffset));
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(5, log.HighWatermark);
        Assert.Equal(0, log.LogStartOffset);
        Assert.Equal(-1, second.LogAppendTime);
    }

    [Fact]
    public void Read_returns_the_stored_bytes_with_patched_offset_and_leader_epoch()
    {
        var log = _fx.Open();
        var batch = TestBatches.Create(recordCount: 4, timestamp: 1234);
        LogFixture.Append(log);
        log.Append(batch, leaderEpoch: 9, useLogAppendTime: false);

        using var result = log.Read(1, 1 << 20, long.MaxValue, minOneBatch: true);

        Assert.Equal(batch, result.Data.ToArray());
        var header = RecordBatchHeader.Read(result.Data.Span);
        Assert.Equal(1, header.BaseOffset);
        Assert.Equal(9, header.PartitionLeaderEpoch);
        Assert.Equal(1234, header.MaxTimestamp);
    }

    [Fact]
    public void LogAppendTime_stamps_broker_time_and_keeps_the_crc_valid()
    {
        var log = _fx.Open();
        var result = log.Append(TestBatches.Create(timestamp: 5), leaderEpoch: 0, useLogAppendTime: true);

        Assert.Equal(_fx.NowMs, result.LogAppendTime);
        using var read = log.Read(0, 1 << 20, long.MaxValue, minOneBatch: true);
        var header = Assert.Single(TestBatches.Headers(read.Data.Span));
        Assert.True(header.IsLogAppendTime);
        Assert.Equal(_fx.NowMs, header.MaxTimestamp);
    }

    [Fact]
    public void Appended_event_fires_after_each_append()
    {
        var log = _fx.Open();
        var seen = new List<long>();
        log.Appended += l => seen.Add(l.LogEndOffset);

        LogFixture.Append(log, records: 2);
        LogFixture.Append(log);

        Assert.Equal([2, 3], seen);
    }

    [Fact]
    public void Round_trip_across_many_segments_reads_every_batch_in_order()
    {
        var log = _fx.Open(LogConfig.Default with { SegmentBytes = 1000, IndexIntervalBytes = 100 });
        for (var i = 0; i < 200; i++)
        {
            LogFixture.Append(log, records: 1 + (i % 3), timestamp: 1000 + i, valueSize: i % 50);
        }

        Assert.True(log.SegmentCount > 10);
        var headers = LogFixture.ReadAll(log, 0);
        Assert.Equal(200, headers.Count);
        var expected = 0L;
        foreach (var header in headers)
        {
            Assert.Equal(expected, header.BaseOffset);
            expected = header.LastOffset + 1;
        }

        Assert.Equal(log.LogEndOffset, expected);
    }

    [Fact]
    public void Roll_happens_when_the_next_append_would_exceed_segment_bytes()
    {
        var batchSize = TestBatches.Create().Length;
        var log = _fx.Open(LogConfig.Default with { SegmentBytes = (batchSize * 3) + 1 });
        for (var i = 0; i < 3; i++)
        {
            LogFixture.Append(log);
        }

        Assert.Equal(1, log.SegmentCount);
        LogFixture.Append(log);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(3, log.Segments.Active.BaseOffset);
    }

    [Fact]
    public void Roll_happens_when_segment_ms_passed_between_first_and_new_timestamps()
    {
        var log = _fx.Open(LogConfig.Default with { SegmentMs = 60_000 });
        LogFixture.Append(log, timestamp: 1_000);
        LogFixture.Append(log, timestamp: 61_000);
        Assert.Equal(1, log.SegmentCount);

        LogFixture.Append(log, timestamp: 61_001);
        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void Roll_happens_when_segment_ms_passed_since_creation_for_batches_without_timestamps()
    {
        var log = _fx.Open(LogConfig.Default with { SegmentMs = 60_000 });
        LogFixture.Append(log, timestamp: -1);
        _fx.Time.Advance(TimeSpan.FromMinutes(2));

        LogFixture.Append(log, timestamp: -1);

        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void Roll_happens_when_the_offset_index_is_full()
    {
        // Room for three offset entries (and two time entries; equal timestamps only ever need one);
        // an entry for every batch after the first.
        var log = _fx.Open(LogConfig.Default with { SegmentIndexBytes = 16 + (3 * 8), IndexIntervalBytes = 1 });
        for (var i = 0; i < 4; i++)
        {
            LogFixture.Append(log);
        }

        Assert.Equal(1, log.SegmentCount);
        LogFixture.Append(log);
        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void UpdateConfig_applies_to_the_next_append()
    {
        var log = _fx.Open();
        LogFixture.Append(log);
        log.UpdateConfig(LogConfig.Default with { SegmentBytes = 10 });

        LogFixture.Append(log);

        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(10, log.Config.SegmentBytes);
    }

    [Fact]
    public void Read_from_an_offset_inside_a_batch_returns_the_whole_containing_batch()
    {
        var log = _fx.Open();
        LogFixture.Append(log, records: 5);

        using var result = log.Read(3, 1 << 20, long.MaxValue, minOneBatch: true);

        Assert.Equal(0, Assert.Single(TestBatches.Headers(result.Data.Span)).BaseOffset);
    }

    [Fact]
    public void Read_stops_before_max_bytes_at_a_batch_boundary()
    {
        var log = _fx.Open();
        var size = TestBatches.Create().Length;
        for (var i = 0; i < 5; i++)
        {
            LogFixture.Append(log);
        }

        using var result = log.Read(0, (size * 2) + (size / 2), long.MaxValue, minOneBatch: true);

        Assert.Equal(2 * size, result.Data.Length);
    }

    [Fact]
    public void Read_with_min_one_batch_returns_a_first_batch_larger_than_max_bytes()
    {
        var log = _fx.Open();
        LogFixture.Append(log, valueSize: 500);
        LogFixture.Append(log);

        using var result = log.Read(0, 10, long.MaxValue, minOneBatch: true);

        var header = Assert.Single(TestBatches.Headers(result.Data.Span));
        Assert.Equal(0, header.BaseOffset);
    }

    [Fact]
    public void Read_without_min_one_batch_returns_nothing_when_the_first_batch_is_larger_than_max_bytes()
    {
        var log = _fx.Open();
        LogFixture.Append(log, valueSize: 500);

        using var result = log.Read(0, 10, long.MaxValue, minOneBatch: false);

        Assert.Equal(LogError.None, result.Error);
        Assert.True(result.Data.IsEmpty);
    }

    [Fact]
    public void Read_never_includes_batches_at_or_after_max_offset()
    {
        var log = _fx.Open();
        for (var i = 0; i < 4; i++)
        {
            LogFixture.Append(log, records: 2);
        }

        using var result = log.Read(0, 1 << 20, maxOffsetExclusive: 4, minOneBatch: true);
        Assert.Equal([0L, 2L], TestBatches.Headers(result.Data.Span).Select(h => h.BaseOffset));

        using var none = log.Read(4, 1 << 20, maxOffsetExclusive: 4, minOneBatch: true);
        Assert.True(none.Data.IsEmpty);
    }

    [Fact]
    public void Read_above_log_end_offset_returns_OffsetOutOfRange()
    {
        var log = _fx.Open();
        LogFixture.Append(log);

        using var result = log.Read(2, 100, long.MaxValue, minOneBatch: true);

        Assert.Equal(LogError.OffsetOutOfRange, result.Error);
        Assert.Equal(1, result.LogEndOffset);
    }

    [Fact]
    public void Read_at_log_end_offset_returns_no_records()
    {
        var log = _fx.Open();
        LogFixture.Append(log);

        using var result = log.Read(1, 100, long.MaxValue, minOneBatch: true);

        Assert.Equal(LogError.None, result.Error);
        Assert.Null(result.Records);
    }

    [Fact]
    public void Read_below_log_start_offset_returns_OffsetOutOfRange()
    {
        var log = _fx.Open();
        for (var i = 0; i < 3; i++)
        {
            LogFixture.Append(log);
        }

        log.DeleteRecordsBefore(2);
        using var result = log.Read(1, 100, long.MaxValue, minOneBatch: true);

        Assert.Equal(LogError.OffsetOutOfRange, result.Error);
        Assert.Equal(2, result.LogStartOffset);
    }

    [Fact]
    public void Append_rejects_bytes_that_are_not_whole_batches()
    {
        var log = _fx.Open();
        var batch = TestBatches.Create();

        Assert.Throws<ArgumentException>(() => log.Append(batch.AsSpan(0, batch.Length - 1).ToArray(), 0, false));
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void Max_timestamp_batch_is_the_first_with_the_largest_timestamp()
    {
        var log = _fx.Open(LogConfig.Default with { SegmentBytes = 300 });
        long[] timestamps = [10, 50, 20, 50, 30];
        foreach (var ts in timestamps)
        {
            LogFixture.Append(log, timestamp: ts);
        }

        Assert.Equal((1L, 50L), log.GetMaxTimestampBatch());
        using var batch = log.FindBatchWithMaxTimestamp();
        Assert.Equal(1, batch!.BaseOffset);
    }

    [Fact]
    public void Timestamp_lookup_finds_the_first_batch_reaching_the_target()
    {
        var log = _fx.Open(LogConfig.Default with { SegmentBytes = 300, IndexIntervalBytes = 1 });
        long[] timestamps = [10, 30, 20, 40, 50];
        foreach (var ts in timestamps)
        {
            LogFixture.Append(log, timestamp: ts);
        }

        using var found = log.FindFirstBatchWithMaxTimestampAtLeast(25);
        Assert.Equal(1, found!.BaseOffset);
        Assert.Equal(30, found.MaxTimestamp);
        Assert.Equal(RecordBatchHeader.Read(found.Batch.Span).BaseOffset, found.BaseOffset);
        Assert.Null(log.FindFirstBatchWithMaxTimestampAtLeast(51));
    }
}
