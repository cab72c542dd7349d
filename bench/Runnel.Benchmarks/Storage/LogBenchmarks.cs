using BenchmarkDotNet.Attributes;
using Runnel.Storage.Log;

namespace Runnel.Benchmarks.Storage;

/// <summary>
/// Log append (offset assignment, header patch, write to the page cache, sparse index) and
/// fetch-style reads through the offset index, on a real temp directory.
/// </summary>
[MemoryDiagnoser]
public class LogBenchmarks
{
    private TempLog _temp = null!;
    private PartitionLog _log = null!;
    private byte[] _template = [];
    private byte[] _batch = [];
    private long[] _readOffsets = [];
    private int _next;

    [Params(1024)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _temp = TempLog.Open(LogConfig.Default with { SegmentBytes = 256 * 1024 * 1024 });
        _log = _temp.Log;
        _template = BatchFactory.Create(16, ValueSize);
        _batch = new byte[_template.Length];
        for (var i = 0; i < 20_000; i++)
        {
            _template.CopyTo(_batch, 0);
            _log.Append(_batch, 0, useLogAppendTime: false);
        }

        var random = new Random(3);
        _readOffsets = Enumerable.Range(0, 1024).Select(_ => random.NextInt64(0, _log.LogEndOffset)).ToArray();
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _temp.DisposeAsync();

    [Benchmark(Description = "Append one 16-record batch")]
    public long Append()
    {
        _template.CopyTo(_batch, 0);
        return _log.Append(_batch, 0, useLogAppendTime: false).LastOffset;
    }

    [Benchmark(Description = "Read 64 KiB at a random offset (index lookup + copy)")]
    public int Read()
    {
        var offset = _readOffsets[_next++ & 1023];
        using var result = _log.Read(offset, 64 * 1024, _log.HighWatermark, minOneBatch: true);
        return result.Data.Length;
    }
}
