using Runnel.Protocol.Records;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Log;

public sealed class RecoveryTests : IDisposable
{
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private string SegmentFile(long baseOffset, string extension) =>
        Path.Combine(_fx.LogDirectory, LogSegment.FileName(baseOffset, extension));

    [Fact]
    public async Task Power_loss_keeps_every_flushed_batch_and_drops_the_rest()
    {
        var log = _fx.Open();
        for (var i = 0; i < 5; i++)
        {
            LogFixture.Append(log, records: 2);
        }

        await log.FlushAsync(TestContext.Current.CancellationToken);
        var flushed = log.RecoveryPoint;
        LogFixture.Append(log);
        LogFixture.Append(log);

        _fx.Fs.Crash();
        var recovered = _fx.Open(recoveryPoint: flushed, hadCleanShutdown: false);

        Assert.Equal(flushed, recovered.LogEndOffset);
        Assert.Equal(5, LogFixture.ReadAll(recovered, 0).Count);
    }

    [Fact]
    public async Task Torn_write_then_crash_recovers_to_the_last_valid_batch()
    {
        var log = _fx.Open();
        for (var i = 0; i < 3; i++)
        {
            LogFixture.Append(log);
        }

        await log.FlushAsync(TestContext.Current.CancellationToken);
        _fx.Fs.TearNextWrite(30, p => p.EndsWith(".log", StringComparison.Ordinal));
        Assert.Throws<LogOfflineException>(() => LogFixture.Append(log));

        // The process dies (kill -9): the page cache keeps the torn bytes.
        var logFile = SegmentFile(0, LogSegment.LogExtension);
        var tornLength = new FileInfo(logFile).Length;
        var recovered = _fx.Open(recoveryPoint: 0, hadCleanShutdown: false);

        Assert.Equal(3, recovered.LogEndOffset);
        Assert.Equal(tornLength - 30, new FileInfo(logFile).Length);
        Assert.Equal(3, LogFixture.ReadAll(recovered, 0).Count);
        Assert.Equal(3, LogFixture.Append(recovered).FirstOffset);
    }

    [Fact]
    public void Garbled_tail_bytes_are_truncated()
    {
        var log = _fx.Open();
        LogFixture.Append(log);
        LogFixture.Append(log);
        var validLength = new FileInfo(SegmentFile(0, LogSegment.LogExtension)).Length;
        using (var stream = new FileStream(SegmentFile(0, LogSegment.LogExtension), FileMode.Append))
        {
            stream.Write(Enumerable.Range(0, 100).Select(i => (byte)(i * 37)).ToArray());
        }

        var recovered = _fx.Open(recoveryPoint: 0, hadCleanShutdown: false);

        Assert.Equal(2, recovered.LogEndOffset);
        Assert.Equal(validLength, new FileInfo(SegmentFile(0, LogSegment.LogExtension)).Length);
    }

    [Fact]
    public void A_bad_crc_truncates_at_that_batch_and_deletes_later_segments()
    {
        var size = TestBatches.Create().Length;
        var config = LogConfig.Default with { SegmentBytes = (2 * size) + 1 };
        var log = _fx.Open(config);
        for (var i = 0; i < 6; i++)
        {
            LogFixture.Append(log);
        }

        Assert.Equal(3, log.SegmentCount);
        FlipByte(SegmentFile(2, LogSegment.LogExtension), size + RecordBatchHeader.Size + 2);

        var recovered = _fx.Open(config, recoveryPoint: 0, hadCleanShutdown: false);

        Assert.Equal(3, recovered.LogEndOffset);
        Assert.Equal(2, recovered.SegmentCount);
        Assert.False(File.Exists(SegmentFile(4, LogSegment.LogExtension)));
    }

    [Fact]
    public async Task Clean_shutdown_skips_recovery_of_earlier_batches()
    {
        var config = LogConfig.Default with { IndexIntervalBytes = 1 };
        var log = _fx.Open(config);
        for (var i = 0; i < 5; i++)
        {
            LogFixture.Append(log);
        }

        await log.CloseAsync();

        // Damage the second batch: only a full recovery scan would notice.
        FlipByte(SegmentFile(0, LogSegment.LogExtension), TestBatches.Create().Length + RecordBatchHeader.Size + 2);

        var clean = _fx.Open(config, recoveryPoint: 5, hadCleanShutdown: true);
        Assert.Equal(5, clean.LogEndOffset);
        clean.CloseWithoutFlush();

        var unclean = _fx.Open(config, recoveryPoint: 0, hadCleanShutdown: false);
        Assert.Equal(1, unclean.LogEndOffset);
    }

    [Fact]
    public void Segments_below_the_recovery_point_are_not_rescanned()
    {
        // Index every batch so loading a trusted segment only checks its last batch.
        var size = TestBatches.Create().Length;
        var config = LogConfig.Default with { SegmentBytes = (2 * size) + 1, IndexIntervalBytes = 1 };
        var log = _fx.Open(config);
        for (var i = 0; i < 6; i++)
        {
            LogFixture.Append(log);
        }

        log.CloseWithoutFlush();
        FlipByte(SegmentFile(0, LogSegment.LogExtension), RecordBatchHeader.Size + 2);

        var recovered = _fx.Open(config, recoveryPoint: 4, hadCleanShutdown: false);

        Assert.Equal(6, recovered.LogEndOffset);
    }

    [Fact]
    public async Task A_damaged_index_is_rebuilt_even_after_a_clean_shutdown()
    {
        var config = LogConfig.Default with { IndexIntervalBytes = 1 };
        var log = _fx.Open(config);
        for (var i = 0; i < 10; i++)
        {
            LogFixture.Append(log, timestamp: 100 + i);
        }

        await log.CloseAsync();
        var indexFile = SegmentFile(0, LogSegment.IndexExtension);
        var goodIndex = File.ReadAllBytes(indexFile);
        File.WriteAllBytes(indexFile, goodIndex.AsSpan(0, goodIndex.Length - 3).ToArray());

        var reopened = _fx.Open(config, hadCleanShutdown: true);

        Assert.Equal(10, reopened.LogEndOffset);
        Assert.Equal(goodIndex, File.ReadAllBytes(indexFile));
        Assert.Equal(10, LogFixture.ReadAll(reopened, 0).Count);
        using var found = reopened.FindFirstBatchWithMaxTimestampAtLeast(105);
        Assert.Equal(5, found!.BaseOffset);
    }

    [Fact]
    public async Task An_index_entry_pointing_past_the_log_is_rebuilt()
    {
        var config = LogConfig.Default with { IndexIntervalBytes = 1 };
        var log = _fx.Open(config);
        for (var i = 0; i < 4; i++)
        {
            LogFixture.Append(log);
        }

        await log.CloseAsync();
        var indexFile = SegmentFile(0, LogSegment.IndexExtension);
        var bytes = File.ReadAllBytes(indexFile);
        bytes[^1] = 0xFF; // last entry's position: far past the end
        bytes[^2] = 0x7F;
        File.WriteAllBytes(indexFile, bytes);

        var reopened = _fx.Open(config, hadCleanShutdown: true);

        Assert.Equal(4, LogFixture.ReadAll(reopened, 0).Count);
        Assert.NotEqual(bytes, File.ReadAllBytes(indexFile));
    }

    [Fact]
    public async Task An_index_from_an_incompatible_version_is_rebuilt()
    {
        var log = _fx.Open(LogConfig.Default with { IndexIntervalBytes = 1 });
        for (var i = 0; i < 4; i++)
        {
            LogFixture.Append(log);
        }

        await log.CloseAsync();
        var timeIndexFile = SegmentFile(0, LogSegment.TimeIndexExtension);
        var bytes = File.ReadAllBytes(timeIndexFile);
        bytes[7] = 9; // MinCompatibleVersion 9
        File.WriteAllBytes(timeIndexFile, bytes);

        var reopened = _fx.Open(LogConfig.Default with { IndexIntervalBytes = 1 }, hadCleanShutdown: true);

        Assert.Equal(1, File.ReadAllBytes(timeIndexFile)[7]);
        Assert.Equal(4, reopened.LogEndOffset);
    }

    [Fact]
    public void Leftover_deleted_and_temporary_files_are_removed_on_open()
    {
        var log = _fx.Open();
        LogFixture.Append(log);
        log.CloseWithoutFlush();
        File.WriteAllText(Path.Combine(_fx.LogDirectory, "00000000000000000099.log.deleted"), "x");
        File.WriteAllText(Path.Combine(_fx.LogDirectory, "00000000000000000099.index"), "x");

        _fx.Open();

        Assert.Equal(["00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex"],
            Directory.GetFiles(_fx.LogDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Reading_a_corrupt_batch_header_outside_recovery_throws_CorruptLogException()
    {
        var log = _fx.Open();
        LogFixture.Append(log);
        LogFixture.Append(log);

        // Overwrite the second batch's length with garbage behind the log's back.
        using (var stream = new FileStream(SegmentFile(0, LogSegment.LogExtension), FileMode.Open))
        {
            stream.Position = TestBatches.Create().Length + RecordBatchHeader.BatchLengthOffset;
            stream.Write([0x7F, 0, 0, 0]);
        }

        var ex = Assert.Throws<CorruptLogException>(() => log.Read(1, 1000, long.MaxValue, true));
        Assert.Equal(TestBatches.Create().Length, ex.Position);
        Assert.EndsWith(".log", ex.FilePath, StringComparison.Ordinal);
    }

    private static void FlipByte(string path, long position)
    {
        using var stream = new FileStream(path, FileMode.Open);
        stream.Position = position;
        var value = stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(value ^ 0xFF));
    }
}
