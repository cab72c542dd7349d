using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Log;

public sealed class SegmentFileReaderTests : IDisposable
{
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void Scan_lists_every_batch_and_reports_a_garbled_tail()
    {
        var log = _fx.Open();
        LogFixture.Append(log, records: 2, timestamp: 7);
        LogFixture.Append(log, records: 1, timestamp: 9);
        log.CloseWithoutFlush();
        var path = Path.Combine(_fx.LogDirectory, LogSegment.FileName(0, LogSegment.LogExtension));
        File.AppendAllText(path, "garbage");

        var result = SegmentFileReader.Scan(PhysicalFileSystem.Instance, path);

        Assert.Equal([(0L, 1L, 7L), (2L, 2L, 9L)], result.Batches.Select(b => (b.BaseOffset, b.LastOffset, b.MaxTimestamp)));
        Assert.Equal(result.FileLength - 7, result.ValidBytes);
        Assert.NotNull(result.Problem);
    }
}
