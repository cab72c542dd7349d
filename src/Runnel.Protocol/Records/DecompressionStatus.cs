namespace Runnel.Protocol.Records;

/// <summary>Outcome of <see cref="CompressionCodec.TryDecompress"/>.</summary>
public enum DecompressionStatus
{
    /// <summary>The whole input decoded within the output cap.</summary>
    Done = 0,

    /// <summary>The input is not a valid stream of the codec (bad framing, checksum, truncation, trailing bytes).</summary>
    Corrupt,

    /// <summary>The output would exceed the caller's cap; decoding stopped there.</summary>
    TooLarge,

    /// <summary>The codec id is not one of Kafka's (5–7), or <see cref="CompressionType.None"/>.</summary>
    UnsupportedCodec,
}
