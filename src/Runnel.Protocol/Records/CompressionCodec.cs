using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Runnel.Protocol.Records;

/// <summary>
/// The record-section codecs of RecordBatch v2 (attribute bits 0–2): gzip, snappy, LZ4 frame and
/// zstd. Decompression is always bounded by the caller's <c>maxOutputBytes</c>: no length read from
/// the input is trusted for an allocation without that cap, and a stream that inflates past it stops
/// there with <see cref="DecompressionStatus.TooLarge"/>. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Wire forms read and written, matching what Kafka clients produce and consume:
/// <list type="bullet">
/// <item>gzip: RFC 1952 stream (several members allowed); written at zlib's default level 6, as
/// Kafka's <c>compression.gzip.level</c> default.</item>
/// <item>snappy: read both the raw block that librdkafka writes and the xerial framing of the Java
/// client (<c>82 'SNAPPY' 00</c>, two int32 version words, then [int32 BE length][raw block]...);
/// written as one raw block, which xerial's reader in the Java consumer also accepts.</item>
/// <item>LZ4: the LZ4 frame format (magic <c>04 22 4D 18</c>). For v2 batches both the Java client
/// and librdkafka write a correct header checksum (the KAFKA-3160 quirk concerned magic 0/1 only),
/// so the checksum is verified. Written with independent 64 KiB blocks and no checksums, the only
/// form Java's <c>Lz4BlockInputStream</c> reads.</item>
/// <item>zstd: standard frames (several allowed); written at level 3, Kafka's default.</item>
/// </list>
/// </remarks>
public static class CompressionCodec
{
    /// <summary>The xerial snappy-java stream magic: <c>0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00</c>.</summary>
    public static ReadOnlySpan<byte> XerialMagic => [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00];

    /// <summary>Magic plus the two int32 version words of the xerial header.</summary>
    public const int XerialHeaderLength = 16;

    private const int StreamChunk = 16 * 1024;
    private const int GzipLevel6 = 6;
    private const int ZstdDefaultLevel = 3;

    // zstd streaming allocates a window buffer of the size the frame header declares. Cap it to what
    // the output cap could need, but never below 16 MiB so frames from high client levels (Java's
    // zstd-jni at level 19 uses 8 MiB windows) still decode; 27 is zstd's own default ceiling.
    private const int ZstdMinWindowLog = 24;
    private const int ZstdMaxWindowLog = 27;

    private static readonly LZ4EncoderSettings s_lz4Settings = new()
    {
        ChainBlocks = false,
        BlockSize = 64 * 1024,
        ContentChecksum = false,
        BlockChecksum = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    /// <summary>
    /// Decompresses <paramref name="input"/>, producing at most <paramref name="maxOutputBytes"/> bytes.
    /// On <see cref="DecompressionStatus.Done"/> the caller owns <paramref name="output"/> and disposes it;
    /// otherwise <paramref name="output"/> is <see langword="null"/> and nothing is held.
    /// </summary>
    public static DecompressionStatus TryDecompress(
        CompressionType codec, ReadOnlySpan<byte> input, int maxOutputBytes, out PooledBuffer? output)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutputBytes);
        output = null;
        if (input.IsEmpty && codec is >= CompressionType.Gzip and <= CompressionType.Zstd)
        {
            // No codec has a valid zero-byte stream (Java's GZIPInputStream, xerial and the LZ4 and
            // zstd readers all fail on one), so an empty compressed section is corrupt, not empty.
            return DecompressionStatus.Corrupt;
        }

        try
        {
            switch (codec)
            {
                case CompressionType.Gzip:
                    return DecompressGzip(input, maxOutputBytes, out output);
                case CompressionType.Snappy:
                    return DecompressSnappy(input, maxOutputBytes, out output);
                case CompressionType.Lz4:
                    return DecompressLz4(input, maxOutputBytes, out output);
                case CompressionType.Zstd:
                    return DecompressZstd(input, maxOutputBytes, out output);
                default:
                    return DecompressionStatus.UnsupportedCodec;
            }
        }
        catch (OutputLimitExceededException)
        {
            output?.Dispose();
            output = null;
            return DecompressionStatus.TooLarge;
        }
        catch (Exception)
        {
            // Third-party decoders report malformed input with assorted exception types
            // (InvalidDataException, ZstdException, IndexOutOfRange, EndOfStream...). The bytes came
            // from a client, so every one of them means "corrupt input", not a broker fault.
            output?.Dispose();
            output = null;
            return DecompressionStatus.Corrupt;
        }
    }

    /// <summary>
    /// Decompresses <paramref name="input"/> and returns the bytes, which the caller disposes.
    /// Throws <see cref="InvalidDataException"/> when the input is corrupt or inflates past
    /// <paramref name="maxOutputBytes"/>, and <see cref="NotSupportedException"/> for an unknown codec.
    /// For client input prefer <see cref="TryDecompress"/>.
    /// </summary>
    public static PooledBuffer Decompress(CompressionType codec, ReadOnlySpan<byte> input, int maxOutputBytes)
    {
        var status = TryDecompress(codec, input, maxOutputBytes, out var output);
        return status switch
        {
            DecompressionStatus.Done => output!,
            DecompressionStatus.TooLarge => throw new InvalidDataException(
                $"{codec} data decompresses to more than {maxOutputBytes} bytes."),
            DecompressionStatus.UnsupportedCodec => throw new NotSupportedException($"Compression codec {(int)codec} is not supported."),
            _ => throw new InvalidDataException($"{codec} data is corrupt."),
        };
    }

    /// <summary>
    /// Compresses <paramref name="input"/> with <paramref name="codec"/> and appends the result to
    /// <paramref name="output"/>. <see cref="CompressionType.None"/> copies the bytes unchanged.
    /// </summary>
    public static void Compress(CompressionType codec, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (codec)
        {
            case CompressionType.None:
                output.Write(input);
                break;
            case CompressionType.Gzip:
                CompressGzip(input, output);
                break;
            case CompressionType.Snappy:
                {
                    var span = output.GetSpan(Snappy.GetMaxCompressedLength(input.Length));
                    output.Advance(Snappy.Compress(input, span));
                    break;
                }

            case CompressionType.Lz4:
                LZ4Frame.Encode(input, output, s_lz4Settings);
                break;
            case CompressionType.Zstd:
                {
                    using var compressor = new Compressor(ZstdDefaultLevel);
                    var span = output.GetSpan(Compressor.GetCompressBound(input.Length));
                    output.Advance(compressor.Wrap(input, span));
                    break;
                }

            default:
                throw new NotSupportedException($"Compression codec {(int)codec} is not supported.");
        }
    }

    /// <summary>True when <paramref name="input"/> starts with the xerial snappy-java header magic.</summary>
    public static bool IsXerialSnappy(ReadOnlySpan<byte> input) => input.StartsWith(XerialMagic);

    private static int InitialCapacity(int inputLength, int maxOutputBytes) =>
        (int)Math.Min((long)maxOutputBytes + 1, Math.Max(4096L, (long)inputLength * 4));

    private static DecompressionStatus DecompressGzip(ReadOnlySpan<byte> input, int maxOutputBytes, out PooledBuffer? output)
    {
        output = null;

        // GZipStream reads from a Stream, and a span cannot back one; one copy of the compressed
        // bytes (bounded by max.message.bytes) is cheaper than pinning and an unsafe stream.
        var copy = ArrayPool<byte>.Shared.Rent(input.Length);
        try
        {
            input.CopyTo(copy);
            using var source = new MemoryStream(copy, 0, input.Length, writable: false);
            using var gzip = new GZipStream(source, CompressionMode.Decompress);
            using var writer = new PooledBufferWriter(InitialCapacity(input.Length, maxOutputBytes), maxOutputBytes);
            while (true)
            {
                var read = gzip.Read(writer.GetSpan(StreamChunk));
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
            }

            // GZipStream stops quietly when the input ends inside a member; the trailer catches that.
            if (!GzipTrailer.Matches(input, writer.WrittenSpan))
            {
                return DecompressionStatus.Corrupt;
            }

            output = writer.Detach();
            return DecompressionStatus.Done;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private static void CompressGzip(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        using var sink = new BufferWriterStream(output);
        using var gzip = new GZipStream(sink, new ZLibCompressionOptions { CompressionLevel = GzipLevel6 });
        gzip.Write(input);
    }

    private static DecompressionStatus DecompressSnappy(ReadOnlySpan<byte> input, int maxOutputBytes, out PooledBuffer? output)
    {
        output = null;
        if (!IsXerialSnappy(input))
        {
            var length = Snappy.GetUncompressedLength(input);
            if (length < 0)
            {
                return DecompressionStatus.Corrupt;
            }

            if (length > maxOutputBytes)
            {
                return DecompressionStatus.TooLarge;
            }

            var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            var buffer = new PooledBuffer(rented, length);
            if (!Snappy.TryDecompress(input, rented.AsSpan(0, length), out var written) || written != length)
            {
                buffer.Dispose();
                return DecompressionStatus.Corrupt;
            }

            output = buffer;
            return DecompressionStatus.Done;
        }

        // Xerial framing: header, then [int32 BE compressed length][raw snappy block] until the end.
        // First pass sizes every block from its varint preamble and checks the total against the cap,
        // so a lying header cannot make us allocate; second pass decodes into one buffer.
        if (input.Length < XerialHeaderLength)
        {
            return DecompressionStatus.Corrupt;
        }

        long total = 0;
        var position = XerialHeaderLength;
        while (position < input.Length)
        {
            if (!TryReadXerialBlock(input, ref position, out var block))
            {
                return DecompressionStatus.Corrupt;
            }

            var blockLength = Snappy.GetUncompressedLength(block);
            if (blockLength < 0)
            {
                return DecompressionStatus.Corrupt;
            }

            total += blockLength;
            if (total > maxOutputBytes)
            {
                return DecompressionStatus.TooLarge;
            }
        }

        var array = ArrayPool<byte>.Shared.Rent((int)Math.Max(total, 1));
        var result = new PooledBuffer(array, (int)total);
        var offset = 0;
        position = XerialHeaderLength;
        while (position < input.Length)
        {
            TryReadXerialBlock(input, ref position, out var block);
            var expected = Snappy.GetUncompressedLength(block);
            if (!Snappy.TryDecompress(block, array.AsSpan(offset, expected), out var written) || written != expected)
            {
                result.Dispose();
                return DecompressionStatus.Corrupt;
            }

            offset += written;
        }

        output = result;
        return DecompressionStatus.Done;
    }

    private static bool TryReadXerialBlock(ReadOnlySpan<byte> input, ref int position, out ReadOnlySpan<byte> block)
    {
        block = default;
        if (input.Length - position < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(input[position..]);
        position += 4;
        if (length < 0 || length > input.Length - position)
        {
            return false;
        }

        block = input.Slice(position, length);
        position += length;
        return true;
    }

    private static DecompressionStatus DecompressLz4(ReadOnlySpan<byte> input, int maxOutputBytes, out PooledBuffer? output)
    {
        output = null;
        using var writer = new PooledBufferWriter(InitialCapacity(input.Length, maxOutputBytes), maxOutputBytes);

        // The frame reader holds at most one block (≤ 4 MiB by the frame's block-size code) besides
        // the output, and the writer stops the output at the cap. A second frame is decoded too; bytes
        // that are not a frame make it throw, which is reported as corrupt.
        LZ4Frame.Decode(input, writer);
        output = writer.Detach();
        return DecompressionStatus.Done;
    }

    private static DecompressionStatus DecompressZstd(ReadOnlySpan<byte> input, int maxOutputBytes, out PooledBuffer? output)
    {
        output = null;
        var initial = InitialCapacity(input.Length, maxOutputBytes);
        try
        {
            // An upper bound from the frame headers sizes the buffer in one go when it is under the
            // cap; it is only a hint, so a failure here is left for the decoder to report.
            var bound = Decompressor.GetDecompressedSize(input);
            if (bound < (ulong)maxOutputBytes)
            {
                initial = (int)bound + 1;
            }
        }
        catch (ZstdException)
        {
        }

        using var decompressor = new Decompressor();
        var windowLog = Math.Clamp(64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)maxOutputBytes), ZstdMinWindowLog, ZstdMaxWindowLog);
        decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, windowLog);

        using var writer = new PooledBufferWriter(initial, maxOutputBytes);
        var remaining = input;
        while (true)
        {
            var status = decompressor.UnwrapStream(remaining, writer.GetSpan(StreamChunk), out var consumed, out var written);
            writer.Advance(written);
            remaining = remaining[consumed..];
            switch (status)
            {
                case OperationStatus.Done:
                    output = writer.Detach();
                    return DecompressionStatus.Done;
                case OperationStatus.DestinationTooSmall:
                    continue;
                default:
                    // InvalidData, or NeedMoreData: the input ended inside a frame.
                    return DecompressionStatus.Corrupt;
            }
        }
    }
}
