using Runnel.Protocol.Records;
using Runnel.Storage.Checkpoints;
using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;
using Runnel.TestKit;

namespace Runnel.Storage.Tests.Cleaner;

public sealed class LogCleanerTests : IDisposable
{
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static LogConfig Config => LogConfig.Default with { FileDeleteDelayMs = 0, DeleteRetentionMs = 10_000, IndexIntervalBytes = 1 };

    private LogCleaner NewCleaner(long dedupeBytes = 1 << 20) =>
        new(CleanerOptions.Default with { DedupeBufferSize = dedupeBytes }, _fx.Fs);

    /// <summary>Appends each batch in its own segment (a roll after each), then one batch into the active segment.</summary>
    private List<StoredRecord> Fill(PartitionLog log, (string? Key, string? Value)[][] inactive, (string? Key, string? Value)[] active)
    {
        var appended = new List<StoredRecord>();
        foreach (var batch in inactive)
        {
            appended.AddRange(KeyedLog.Append(log, batch));
            log.Roll();
        }

        appended.AddRange(KeyedLog.Append(log, active));
        return appended;
    }

    [Fact]
    public void Clean_keeps_only_the_latest_record_of_each_key_at_its_original_offset()
    {
        var log = _fx.Open(Config);
        var appended = Fill(log,
            [[("a", "1"), ("b", "1")], [("a", "2"), ("c", "1")], [("b", "2")], [("a", "3")]],
            [("a", "4")]);

        var stats = NewCleaner().Clean(log, _fx.Time.GetUtcNow());

        var records = KeyedLog.ReadAll(log).Records;
        Assert.Equal([(3L, "c", "1"), (4L, "b", "2"), (5L, "a", "3"), (6L, "a", "4")], records.Select(r => (r.Offset, r.Key, r.Value)));
        KeyedLog.AssertCompacted(records, appended, stats.NewFirstDirtyOffset);
        Assert.Equal(6, stats.NewFirstDirtyOffset);
        Assert.Equal(6, stats.RecordsRead);
        Assert.Equal(3, stats.RecordsKept);
        Assert.Equal(7, log.LogEndOffset);
    }

    [Fact]
    public void Clean_merges_the_inactive_segments_and_leaves_the_active_segment_alone()
    {
        var log = _fx.Open(Config);
        Fill(log, [[("a", "1")], [("a", "2")], [("b", "1")]], [("a", "3")]);
        var active = log.Segments.Active;
        var activeSize = active.Size;

        NewCleaner().Clean(log, _fx.Time.GetUtcNow());

        Assert.Equal(2, log.SegmentCount);
        Assert.Same(active, log.Segments.Active);
        Assert.Equal(activeSize, active.Size);
        Assert.Equal(0, log.Segments[0].BaseOffset);
        Assert.Equal(3, log.Segments[0].NextOffset);
    }

    [Fact]
    public void An_emptied_last_batch_stays_as_an_empty_batch_so_the_cleaned_segment_keeps_its_last_offset()
    {
        var log = _fx.Open(Config);
        Fill(log, [[("a", "1")], [("b", "1"), ("b", "2")], [("a", "2")]], [("c", "1")]);

        NewCleaner().Clean(log, _fx.Time.GetUtcNow());

        var (batches, records) = KeyedLog.ReadAll(log);
        Assert.Equal([(2L, "b", "2"), (3L, "a", "2"), (4L, "c", "1")], records.Select(r => (r.Offset, r.Key, r.Value)));
        // The first batch (only a:1) is gone; the second keeps its base and last offsets with one record.
        Assert.Equal([1L, 3L, 4L], batches.Select(b => b.BaseOffset));
        Assert.Equal(2, batches[0].LastOffset);
        Assert.Equal(1, batches[0].RecordCount);
    }

    [Fact]
    public void A_batch_whose_records_all_go_at_the_end_of_a_group_becomes_an_empty_header()
    {
        var log = _fx.Open(Config);
        Fill(log, [[("a", "1")], [("a", "2")], [(null, "keyless")]], [("c", "1")]);

        NewCleaner().Clean(log, _fx.Time.GetUtcNow());

        var (batches, records) = KeyedLog.ReadAll(log);
        Assert.Equal([(1L, "a", "2"), (3L, "c", "1")], records.Select(r => (r.Offset, r.Key, r.Value)));
        var empty = batches.Single(b => b.BaseOffset == 2);
        Assert.Equal(0, empty.RecordCount);
        Assert.Equal(2, empty.LastOffset);
        Assert.Equal(RecordBatchHeader.Size, empty.TotalSize);
        Assert.Equal(3, log.Segments[0].NextOffset);
    }

    [Fact]
    public void Records_without_a_key_are_dropped()
    {
        var log = _fx.Open(Config);
        Fill(log, [[(null, "x"), ("a", "1"), (null, "y")], [("b", "1")]], [("c", "1")]);

        NewCleaner().Clean(log, _fx.Time.GetUtcNow());

        Assert.DoesNotContain(KeyedLog.ReadAll(log).Records, r => r.Key is null);
        Assert.Equal(["a", "b", "c"], KeyedLog.ReadAll(log).Records.Select(r => r.Key));
    }

    [Fact]
    public void A_tombstone_stays_until_its_delete_horizon_and_goes_in_the_first_clean_after_it()
    {
        var log = _fx.Open(Config);
        Fill(log, [[("k", "v1")], [("k", null), ("x", "1")]], [("y", "1")]);
        var cleaner = NewCleaner();
        var firstClean = _fx.Time.GetUtcNow();

        cleaner.Clean(log, firstClean);

        var (batches, records) = KeyedLog.ReadAll(log);
        Assert.Equal([(1L, "k", null), (2L, "x", "1"), (3L, "y", "1")], records.Select(r => (r.Offset, r.Key, r.Value)));
        var tombstoneBatch = batches.Single(b => b.BaseOffset == 1);
        Assert.True(tombstoneBatch.HasDeleteHorizon);
        Assert.Equal(firstClean.ToUnixTimeMilliseconds() + 10_000, tombstoneBatch.BaseTimestamp);

        cleaner.Clean(log, 0L, firstClean.AddMilliseconds(9_999));
        Assert.Contains(KeyedLog.ReadAll(log).Records, r => r.Key == "k");

        cleaner.Clean(log, 0L, firstClean.AddMilliseconds(10_000));
        Assert.Equal([(2L, "x", "1"), (3L, "y", "1")], KeyedLog.ReadAll(log).Records.Select(r => (r.Offset, r.Key, r.Value)));
    }

    [Fact]
    public void Expired_tombstones_are_removed_from_the_clean_section_when_nothing_is_dirty()
    {
        var log = _fx.Open(Config);
        Fill(log, [[("k", "v1"), ("j", "1")], [("k", null)]], [("y", "1")]);
        var cleaner = NewCleaner();
        var first = cleaner.Clean(log, _fx.Time.GetUtcNow());
        var horizon = _fx.NowMs + 10_000;
        Assert.Equal(horizon, first.EarliestDeleteHorizonMs);
        Assert.Equal(0, cleaner.Clean(log, _fx.Time.GetUtcNow().AddMilliseconds(20_000)).Passes);

        var early = cleaner.RemoveExpiredTombstones(log, DateTimeOffset.FromUnixTimeMilliseconds(horizon - 1));
        Assert.Contains(KeyedLog.ReadAll(log).Records, r => r.Key == "k");
        Assert.Equal(horizon, early.EarliestDeleteHorizonMs);

        var late = cleaner.RemoveExpiredTombstones(log, DateTimeOffset.FromUnixTimeMilliseconds(horizon));

        Assert.Equal(-1, late.EarliestDeleteHorizonMs);
        Assert.Equal([(1L, "j", "1"), (3L, "y", "1")], KeyedLog.ReadAll(log).Records.Select(r => (r.Offset, r.Key, r.Value)));
        Assert.Equal(3, log.Segments[0].NextOffset);
    }

    [Fact]
    public void Setting_the_delete_horizon_keeps_every_record_timestamp()
    {
        var log = _fx.Open(Config);
        log.Append(KeyedLog.Batch([("k", null), ("z", "1")], timestamp: 5_000), 1, false);
        log.Roll();
        KeyedLog.Append(log, ("y", "1"));

        NewCleaner().Clean(log, _fx.Time.GetUtcNow());

        using var read = log.Read(0, 1 << 20, long.MaxValue, minOneBatch: true);
        var header = RecordBatchHeader.Read(read.Data.Span);
        Assert.True(header.HasDeleteHorizon);
        Assert.Equal(5_000, header.MaxTimestamp);
        var reader = new RecordReader(read.Data.Span[RecordBatchHeader.Size..header.TotalSize], header.RecordCount);
        while (reader.MoveNext())
        {
            Assert.Equal(5_000, header.BaseTimestamp + reader.Current.TimestampDelta);
        }

        Assert.Equal(RecordReadStatus.Done, reader.Status);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Zstd)]
    public void A_compressed_batch_is_filtered_and_recompressed_with_its_codec(CompressionType codec)
    {
        var log = _fx.Open(Config);
        var appended = KeyedLog.Append(log, 1_000, codec, ("a", "1"), ("b", "1"), ("a", "2"), (null, "x"));
        log.Roll();
        appended.AddRange(KeyedLog.Append(log, ("c", "1")));

        var stats = NewCleaner().Clean(log, _fx.Time.GetUtcNow());

        var (batches, records) = KeyedLog.ReadAll(log);
        Assert.Equal(codec, batches[0].Compression);
        Assert.Equal(0, batches[0].BaseOffset);
        Assert.Equal(3, batches[0].LastOffset);
        Assert.Equal([(1L, "b", "1"), (2L, "a", "2"), (4L, "c", "1")], records.Select(r => (r.Offset, r.Key, r.Value)));
        KeyedLog.AssertCompacted(records, appended, stats.NewFirstDirtyOffset);
    }

    [Fact]
    public void Keys_that_do_not_fit_the_map_are_cleaned_in_several_passes()
    {
        var log = _fx.Open(Config);
        var appended = new List<StoredRecord>();
        for (var round = 0; round < 3; round++)
        {
            for (var key = 0; key < 6; key++)
            {
                appended.AddRange(KeyedLog.Append(log, ($"k{key}", $"v{round}")));
            }

            log.Roll();
        }

        appended.AddRange(KeyedLog.Append(log, ("k0", "active")));

        // 4 slots × 0.9 → 3 keys per pass.
        var cleaner = NewCleaner(4 * 24);
        Assert.Equal(3, cleaner.MapCapacity);
        var stats = cleaner.Clean(log, _fx.Time.GetUtcNow());

        Assert.True(stats.Passes > 1, $"{stats.Passes} passes");
        Assert.Equal(18, stats.NewFirstDirtyOffset);
        var records = KeyedLog.ReadAll(log).Records;
        KeyedLog.AssertCompacted(records, appended, stats.NewFirstDirtyOffset);
        Assert.Equal(7, records.Count);
    }

    [Fact]
    public void Segments_younger_than_min_compaction_lag_are_not_cleaned()
    {
        var log = _fx.Open(Config with { MinCompactionLagMs = 3_600_000 });
        var now = _fx.NowMs;
        log.Append(KeyedLog.Batch([("a", "1")], timestamp: now - 7_200_000), 1, false);
        log.Roll();
        log.Append(KeyedLog.Batch([("a", "2")], timestamp: now - 60_000), 1, false);
        log.Roll();
        log.Append(KeyedLog.Batch([("a", "3")], timestamp: now), 1, false);

        var range = LogCleaner.ComputeCleanableRange(log, null, _fx.Time.GetUtcNow());
        Assert.Equal(0, range.FirstDirtyOffset);
        Assert.Equal(1, range.FirstUncleanableOffset);

        NewCleaner().Clean(log, _fx.Time.GetUtcNow());

        Assert.Equal(["1", "2", "3"], KeyedLog.ReadAll(log).Records.Select(r => r.Value));
    }

    [Fact]
    public void The_cleaner_checkpoint_records_the_new_first_dirty_offset_and_the_next_clean_starts_there()
    {
        var log = _fx.Open(Config);
        Fill(log, [[("a", "1")], [("a", "2")]], [("a", "3")]);
        var cleaner = NewCleaner();

        var first = cleaner.Clean(log, _fx.Time.GetUtcNow());
        var checkpoint = new CleanerOffsetCheckpoint(_fx.Fs, _fx.Temp.Path);

        Assert.Equal(2, checkpoint.Read(LogFixture.Tp));
        Assert.Equal(1, first.Passes);
        var second = cleaner.Clean(log, _fx.Time.GetUtcNow());
        Assert.Equal(0, second.Passes);
        Assert.Equal(2, second.FirstDirtyOffset);
        var range = LogCleaner.ComputeCleanableRange(log, 2, _fx.Time.GetUtcNow());
        Assert.False(range.IsCleanable);
    }

    [Fact]
    public async Task A_cleaned_log_reads_the_same_after_a_clean_and_an_unclean_reopen()
    {
        var log = _fx.Open(Config);
        var appended = Fill(log, [[("a", "1"), ("b", "1")], [("a", "2")], [("b", null)]], [("c", "1")]);
        var stats = NewCleaner().Clean(log, _fx.Time.GetUtcNow());
        var expected = KeyedLog.ReadAll(log).Records;
        await log.CloseAsync();

        var reopened = _fx.Open(Config);
        Assert.Equal(expected, KeyedLog.ReadAll(reopened).Records);
        await reopened.CloseAsync();

        var recovered = _fx.Open(Config, recoveryPoint: 0, hadCleanShutdown: false);
        var records = KeyedLog.ReadAll(recovered).Records;
        Assert.Equal(expected, records);
        KeyedLog.AssertCompacted(records, appended, stats.NewFirstDirtyOffset);
        Assert.Empty(Directory.GetFiles(_fx.LogDirectory, "*.cleaned"));
        Assert.Empty(Directory.GetFiles(_fx.LogDirectory, "*.swap"));
        await recovered.CloseAsync();
    }

    [Fact]
    public void A_group_changed_by_retention_during_the_clean_is_abandoned()
    {
        var log = _fx.Open(Config);
        Fill(log, [[("a", "1")], [("a", "2")]], [("a", "3")]);
        var deleted = false;

        // DeleteRecords removes the group's segments as the cleaner creates the segment replacing them.
        _fx.Fs.BeforeOperation = (operation, path) =>
        {
            if (!deleted && operation == FileOperation.Open && path.EndsWith(".log" + LogSegment.CleanedSuffix, StringComparison.Ordinal))
            {
                deleted = true;
                log.DeleteRecordsBefore(2);
            }
        };

        var stats = NewCleaner().Clean(log, _fx.Time.GetUtcNow());
        _fx.Fs.BeforeOperation = null;

        Assert.True(deleted);
        Assert.Equal(1, stats.GroupsAbandoned);
        Assert.Equal(0, stats.SegmentsCleaned);
        Assert.Equal(2, log.LogStartOffset);
        Assert.Equal(["3"], KeyedLog.ReadAll(log).Records.Select(r => r.Value));
        Assert.Empty(Directory.GetFiles(_fx.LogDirectory, "*.swap"));
        Assert.Empty(Directory.GetFiles(_fx.LogDirectory, "*.cleaned"));
    }

    [Fact]
    public void Consecutive_segments_are_merged_only_while_the_group_fits_segment_bytes()
    {
        var batchSize = KeyedLog.Batch([("k0", "value")]).Length;
        var log = _fx.Open(Config with { SegmentBytes = (batchSize * 5) / 2 });
        var appended = new List<StoredRecord>();
        for (var i = 0; i < 4; i++)
        {
            appended.AddRange(KeyedLog.Append(log, ($"k{i}", "value")));
            log.Roll();
        }

        appended.AddRange(KeyedLog.Append(log, ("k9", "value")));
        Assert.Equal(5, log.SegmentCount);

        var stats = NewCleaner().Clean(log, _fx.Time.GetUtcNow());

        Assert.Equal(2, stats.SegmentsCleaned);
        Assert.Equal([0L, 2L, 4L], log.Segments.AsSpan().ToArray().Select(s => s.BaseOffset));
        KeyedLog.AssertCompacted(KeyedLog.ReadAll(log).Records, appended, stats.NewFirstDirtyOffset);
    }

    [Fact]
    public void The_throttle_is_told_every_byte_read_and_written()
    {
        var log = _fx.Open(Config);
        Fill(log, [[("a", "1"), ("b", "1")], [("a", "2")]], [("a", "3")]);
        var throttle = new CountingThrottle();
        var cleaner = new LogCleaner(CleanerOptions.Default with { DedupeBufferSize = 1 << 20, Throttle = throttle }, _fx.Fs);

        var stats = cleaner.Clean(log, _fx.Time.GetUtcNow());

        Assert.True(stats.BytesWritten > 0);
        Assert.Equal(stats.BytesRead + stats.BytesWritten, throttle.Bytes);
    }

    private sealed class CountingThrottle : ICleanerThrottle
    {
        public long Bytes { get; private set; }

        public void OnBytes(long bytes, CancellationToken cancellationToken) => Bytes += bytes;
    }
}
