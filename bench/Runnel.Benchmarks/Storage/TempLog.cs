using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.Benchmarks.Storage;

/// <summary>A partition log of its own in a fresh temp directory, closed and deleted on dispose.</summary>
internal sealed class TempLog : IAsyncDisposable
{
    private readonly string _dir;

    private TempLog(string dir, PartitionLog log)
    {
        _dir = dir;
        Log = log;
    }

    public PartitionLog Log { get; }

    public static TempLog Open(LogConfig config)
    {
        var dir = Path.Combine(Path.GetTempPath(), "runnel-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var log = PartitionLog.Open(new TopicPartition("bench", 0), dir, config, new PhysicalFileSystem(), TimeProvider.System, NullLoggerFactory.Instance, 0, 0, hadCleanShutdown: true);
        return new TempLog(dir, log);
    }

    public async ValueTask DisposeAsync()
    {
        await Log.CloseAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
