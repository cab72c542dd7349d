using BenchmarkDotNet.Attributes;
using Runnel.Storage.Log;

namespace Runnel.Benchmarks.Storage;

/// <summary>
/// A consumer at the tail of a log of small batches (one 100-byte record each, as producers with a
/// short linger write them): each read starts a few batches before the log end, so the offset index
/// (an entry per 4 KiB) lands up to ~30 batch headers before the start.
/// </summary>
[MemoryDiagnoser]
public class LogTailReadBenchmarks
{
    private TempLog _temp = null!;
    private PartitionLog _log = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _temp = TempLog.Open(LogConfig.Default);
        _log = _temp.Log;
        var template = BatchFactory.Create(1, 100);
        var batch = new byte[template.Length];
        for (var i = 0; i < 10_000; i++)
        {
            template.CopyTo(batch, 0);
            _log.Append(batch, 0, useLogAppendTime: false);
        }
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _temp.DisposeAsync();

    [Benchmark(Description = "Read the last 1-32 small batches (tail consumer)")]
    public int ReadTail()
    {
        var back = 1 + (_next++ & 31);
        using var result = _log.Read(_log.LogEndOffset - back, 1 << 20, _log.HighWatermark, minOneBatch: true);
        return result.Data.Length;
    }
}
