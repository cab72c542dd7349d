namespace Runnel.Broker.Configuration;

/// <summary>A topic's <c>compression.type</c> (Kafka's <c>BrokerCompressionType</c>): keep the producer's codec or recompress.</summary>
public enum BrokerCompressionType
{
    /// <summary>Store batches as the producer compressed them.</summary>
    Producer,

    /// <summary>Store batches uncompressed.</summary>
    Uncompressed,

    /// <summary>Recompress with gzip.</summary>
    Gzip,

    /// <summary>Recompress with snappy.</summary>
    Snappy,

    /// <summary>Recompress with lz4.</summary>
    Lz4,

    /// <summary>Recompress with zstd.</summary>
    Zstd,
}
