using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Log;

public sealed class RetentionTests : IDisposable
{
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static readonly int BatchSize = TestBatches.Create().Length;

    /// <summary>Two batches per segment, immediate file deletion.</summary>
    private static LogConfig TwoPerSegment => LogConfig.Default with { SegmentBytes = (2 * BatchSize) + 1, FileDeleteDelayMs = 0 };

    [Fact]
    public void Retention_by_time_deletes_segments_whose_newest_timestamp_is_older_than_retention_ms()
    {
        var log = _fx.Open(TwoPerSegment with { RetentionMs = 3_600_000 });
        var old = _fx.NowMs - 7_200_000;
        for (var i = 0; i < 4; i++)
        {
            LogFixture.Append(log, timestamp: old);
        }

        LogFixture.Append(log, timestamp: _fx.NowMs);
        LogFixture.Append(log, timestamp: _fx.NowMs);
        Assert.Equal(3, log.SegmentCount);

        var deleted = log.EnforceRetention(_fx.Time.GetUtcNow());

        Assert.Equal(2, deleted);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(4, log.LogStartOffset);
        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(2, LogFixture.ReadAll(log, 4).Count);
    }

    [Fact]
    public void Retention_by_time_rolls_and_deletes_an_expired_active_segment()
    {
        var log = _fx.Open(LogConfig.Default with { RetentionMs = 1_000, FileDeleteDelayMs = 0 });
        LogFixture.Append(log, timestamp: _fx.NowMs);
        _fx.Time.Advance(TimeSpan.FromSeconds(2));

        log.EnforceRetention(_fx.Time.GetUtcNow());

        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(0, log.Segments.Active.Size);
        Assert.Equal(1, log.LogStartOffset);
        Assert.Equal(1, log.LogEndOffset);
        LogFixture.Append(log, timestamp: _fx.NowMs);
        Assert.Equal(2, log.LogEndOffset);
    }

    [Fact]
    public void Retention_never_deletes_an_empty_active_segment()
    {
        var log = _fx.Open(LogConfig.Default with { RetentionMs = 0, RetentionBytes = 0 });
        _fx.Time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, log.EnforceRetention(_fx.Time.GetUtcNow()));
        Assert.Equal(1, log.SegmentCount);
    }

    [Fact]
    public void Retention_by_bytes_deletes_oldest_segments_until_the_log_fits()
    {
        var log = _fx.Open(TwoPerSegment with { RetentionBytes = 3 * BatchSize, RetentionMs = -1 });
        for (var i = 0; i < 7; i++)
        {
            LogFixture.Append(log, timestamp: _fx.NowMs);
        }

        // Segments of 2, 2, 2, 1 batches: 7 batches, over the limit of 3 by 4 → the first two segments go
        // (Kafka deletes a segment only while the rest still holds at least retention.bytes).
        var deleted = log.EnforceRetention(_fx.Time.GetUtcNow());

        Assert.Equal(2, deleted);
        Assert.Equal(4, log.LogStartOffset);
        Assert.Equal(3 * BatchSize, log.SizeInBytes);
    }

    [Fact]
    public void Deleted_segment_files_are_renamed_then_removed_after_file_delete_delay()
    {
        var log = _fx.Open(TwoPerSegment with { FileDeleteDelayMs = 60_000 });
        for (var i = 0; i < 3; i++)
        {
            LogFixture.Append(log, timestamp: _fx.NowMs);
        }

        log.DeleteRecordsBefore(2);
        var deletedName = Path.Combine(_fx.LogDirectory, "00000000000000000000.log.deleted");
        Assert.True(File.Exists(deletedName));
        Assert.False(File.Exists(Path.Combine(_fx.LogDirectory, "00000000000000000000.log")));

        _fx.Time.Advance(TimeSpan.FromSeconds(60));

        Assert.False(File.Exists(deletedName));
        Assert.Equal(0, log.PendingDeletionCount);
    }

    [Fact]
    public void DeleteRecords_moves_log_start_offset_and_deletes_only_whole_segments_below_it()
    {
        var log = _fx.Open(TwoPerSegment);
        for (var i = 0; i < 5; i++)
        {
            LogFixture.Append(log, timestamp: _fx.NowMs);
        }

        var result = log.DeleteRecordsBefore(3);

        Assert.Equal(new LogDeleteRecordsResult(LogError.None, 3), result);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(2, log.Segments.First.BaseOffset);
        using var below = log.Read(2, 1000, long.MaxValue, true);
        Assert.Equal(LogError.OffsetOutOfRange, below.Error);
        Assert.Equal(2, LogFixture.ReadAll(log, 3).Count);
    }

    [Fact]
    public void DeleteRecords_above_the_high_watermark_returns_OffsetOutOfRange()
    {
        var log = _fx.Open();
        LogFixture.Append(log);

        var result = log.DeleteRecordsBefore(2);

        Assert.Equal(LogError.OffsetOutOfRange, result.Error);
        Assert.Equal(0, log.LogStartOffset);
    }

    [Fact]
    public void DeleteRecords_never_moves_the_log_start_offset_backwards()
    {
        var log = _fx.Open();
        for (var i = 0; i < 3; i++)
        {
            LogFixture.Append(log);
        }

        log.DeleteRecordsBefore(2);
        var result = log.DeleteRecordsBefore(1);

        Assert.Equal(2, result.LowWatermark);
    }

    [Fact]
    public void TruncateTo_removes_the_tail_and_appends_continue_from_the_new_end()
    {
        var log = _fx.Open(TwoPerSegment);
        for (var i = 0; i < 5; i++)
        {
            LogFixture.Append(log, records: 2);
        }

        Assert.True(log.TruncateTo(5));

        // Offset 5 is inside the batch [4, 5]: the whole batch goes.
        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal(4, log.HighWatermark);
        Assert.Equal(3, log.SegmentCount); // one two-record batch per segment; the last is now empty
        var appended = LogFixture.Append(log);
        Assert.Equal(4, appended.FirstOffset);
        Assert.Equal(3, LogFixture.ReadAll(log, 0).Count);
    }
}
