namespace Runnel.Protocol.Records;

/// <summary>RecordBatch attribute bits 0–2 (Kafka's codec ids).</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
