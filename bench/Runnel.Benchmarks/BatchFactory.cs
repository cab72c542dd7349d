using Runnel.Protocol.Records;

namespace Runnel.Benchmarks;

/// <summary>Record batches shaped like a producer's: N records of a given value size, optional codec.</summary>
internal static class BatchFactory
{
    public static byte[] Create(int records, int valueSize, CompressionType compression = CompressionType.None)
    {
        var builder = new RecordBatchBuilder { Compression = compression };
        var value = new byte[valueSize];
        new Random(1).NextBytes(value);
        var key = "key-0001"u8.ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < records; i++)
        {
            builder.Append(now + i, key, value);
        }

        return builder.ToArray();
    }
}
