using BenchmarkDotNet.Attributes;
using Runnel.Protocol.Records;

namespace Runnel.Benchmarks.Protocol;

/// <summary>CRC-32C over a batch-sized buffer (the one checksum per produced batch).</summary>
[MemoryDiagnoser]
public class Crc32CBenchmarks
{
    private byte[] _data = [];

    [Params(1024, 16 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(1).NextBytes(_data);
    }

    [Benchmark]
    public uint Compute() => Crc32C.Compute(_data);
}
