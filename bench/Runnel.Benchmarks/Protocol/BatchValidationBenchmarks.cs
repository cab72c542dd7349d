using BenchmarkDotNet.Attributes;
using Runnel.Protocol.Records;

namespace Runnel.Benchmarks.Protocol;

/// <summary>
/// Produce-path validation of one batch (header, CRC, record walk) as the broker runs it.
/// Allocation budget: zero bytes for uncompressed batches.
/// </summary>
[MemoryDiagnoser]
public class BatchValidationBenchmarks
{
    private byte[] _batch = [];
    private RecordBatchValidationOptions _options;

    [Params(16, 160)]
    public int Records { get; set; }

    [Params(100, 1024)]
    public int ValueSize { get; set; }

    [Params(CompressionType.None, CompressionType.Lz4)]
    public CompressionType Compression { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = BatchFactory.Create(Records, ValueSize, Compression);
        _options = new RecordBatchValidationOptions { NowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), MaxMessageBytes = 10_000_000 };
    }

    [Benchmark]
    public bool Validate() => RecordBatchValidator.Validate(_batch, _options).IsValid;
}
