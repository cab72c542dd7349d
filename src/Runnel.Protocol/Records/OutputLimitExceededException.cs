namespace Runnel.Protocol.Records;

/// <summary>
/// Raised inside <see cref="PooledBufferWriter"/> when a decoder writes past the output cap. It never
/// leaves <see cref="CompressionCodec"/>: the codec turns it into <see cref="DecompressionStatus.TooLarge"/>.
/// It is an exception only because third-party decoders pull output through <c>IBufferWriter</c> and
/// have no other way to be stopped.
/// </summary>
internal sealed class OutputLimitExceededException : Exception
{
    public OutputLimitExceededException()
        : base("Decompressed output exceeds the configured limit.")
    {
    }
}
