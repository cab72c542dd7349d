using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Log;

/// <summary>
/// <c>preallocate</c>: the active segment's file runs a few MiB of written zeros ahead of its data.
/// The zeros must never be read as data, must be cut off at roll and close, and must not cost a
/// record after a crash or an unclean file left behind.
/// </summary>
public sealed class PreallocateTests : IDisposable
{
    private static readonly LogConfig s_config = LogConfig.Default with { Preallocate = true };

    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void Appends_keep_zeros_written_ahead_and_reads_stop_at_the_data()
    {
        var log = _fx.Open(s_config);
        for (var i = 0; i < 3; i++)
        {
            LogFixture.Append(log, records: 2);
        }

        var size = log.Segments.Active.Size;
        var fileLength = ActiveFileLength(log);
        Assert.True(fileLength >= size + LogSegment.PreallocateAheadBytes - LogSegment.PreallocateStepBytes, $"file {fileLength} bytes for {size} bytes of data");
        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal([0L, 2, 4], LogFixture.ReadAll(log, 0).Select(h => h.BaseOffset));
        using var atEnd = log.Read(6, 1 << 20, long.MaxValue, minOneBatch: true);
        Assert.Null(atEnd.Records);
    }

    [Fact]
    public void Without_the_setting_the_file_is_exactly_the_data()
    {
        var log = _fx.Open(LogConfig.Default);
        LogFixture.Append(log);
        Assert.Equal(log.Segments.Active.Size, ActiveFileLength(log));
    }

    [Fact]
    public async Task Closing_cuts_the_zeros_and_a_clean_restart_appends_right_after_the_data()
    {
        var log = _fx.Open(s_config);
        LogFixture.Append(log, records: 3);
        LogFixture.Append(log, records: 2);
        var size = log.Segments.Active.Size;
        await log.CloseAsync();
        Assert.Equal(size, new FileInfo(ActivePath(0)).Length);

        var reopened = _fx.Open(s_config, hadCleanShutdown: true);
        Assert.Equal(5, reopened.LogEndOffset);
        Assert.Equal(5, LogFixture.Append(reopened).FirstOffset);
        Assert.Equal([0L, 3, 5], LogFixture.ReadAll(reopened, 0).Select(h => h.BaseOffset));
        await reopened.CloseAsync();
    }

    [Fact]
    public void A_roll_cuts_the_zeros_off_the_segment_it_leaves()
    {
        var log = _fx.Open(s_config);
        LogFixture.Append(log, records: 4);
        var first = log.Segments.Active;
        log.Roll();
        LogFixture.Append(log);

        Assert.Equal(first.Size, new FileInfo(ActivePath(0)).Length);
        Assert.True(ActiveFileLength(log) > log.Segments.Active.Size);
        Assert.Equal([0L, 4], LogFixture.ReadAll(log, 0).Select(h => h.BaseOffset));
    }

    [Fact]
    public async Task After_a_crash_recovery_ends_the_log_at_the_flushed_data_and_cuts_the_zeros()
    {
        var log = _fx.Open(s_config);
        for (var i = 0; i < 4; i++)
        {
            LogFixture.Append(log, records: 2);
        }

        await log.FlushAsync(TestContext.Current.CancellationToken);
        var flushed = log.RecoveryPoint;
        var size = log.Segments.Active.Size;
        _fx.Fs.Crash();

        var recovered = _fx.Open(s_config, recoveryPoint: flushed, hadCleanShutdown: false);
        Assert.Equal(8, recovered.LogEndOffset);
        Assert.Equal(size, new FileInfo(ActivePath(0)).Length);
        Assert.Equal(8, LogFixture.Append(recovered).FirstOffset);
        Assert.Equal(5, LogFixture.ReadAll(recovered, 0).Count);
    }

    [Fact]
    public void A_file_left_with_its_zeros_under_a_clean_shutdown_marker_is_rebuilt_without_losing_a_record()
    {
        // The trim never reached the disk (or the process died between trim and marker): the segment
        // loads with zeros after its data and must come back whole, not truncated at an index entry.
        var log = _fx.Open(s_config with { IndexIntervalBytes = 1 });
        for (var i = 0; i < 5; i++)
        {
            LogFixture.Append(log, records: 1, valueSize: 100);
        }

        var size = log.Segments.Active.Size;
        log.CloseWithoutFlush();
        Assert.True(new FileInfo(ActivePath(0)).Length > size);

        var reopened = _fx.Open(s_config, hadCleanShutdown: true);
        Assert.Equal(5, reopened.LogEndOffset);
        Assert.Equal(size, new FileInfo(ActivePath(0)).Length);
        Assert.Equal([0L, 1, 2, 3, 4], LogFixture.ReadAll(reopened, 0).Select(h => h.BaseOffset));
    }

    [Fact]
    public void Truncating_inside_a_preallocated_segment_ends_the_file_at_the_cut_and_appends_go_on_from_there()
    {
        var log = _fx.Open(s_config);
        for (var i = 0; i < 4; i++)
        {
            LogFixture.Append(log, records: 1);
        }

        Assert.True(log.TruncateTo(2));
        Assert.Equal(log.Segments.Active.Size, new FileInfo(ActivePath(0)).Length);
        Assert.Equal(2, LogFixture.Append(log).FirstOffset);
        Assert.Equal([0L, 1, 2], LogFixture.ReadAll(log, 0).Select(h => h.BaseOffset));
        Assert.True(ActiveFileLength(log) > log.Segments.Active.Size);
    }

    private string ActivePath(long baseOffset) => Path.Combine(_fx.LogDirectory, LogSegment.FileName(baseOffset, LogSegment.LogExtension));

    private long ActiveFileLength(PartitionLog log) => new FileInfo(ActivePath(log.Segments.Active.BaseOffset)).Length;
}
