using System.Buffers;
using System.IO.Compression;
using CsCheck;
using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests.Records;

public class CompressionCodecTests
{
    public static TheoryData<CompressionType> Codecs =>
        [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    private static byte[] SampleData(int length)
    {
        // Compressible but not trivial: repeating text with a counter.
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = (byte)("runnel record batch "[i % 20] + (i / 997 % 3));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Compressed_data_decompresses_to_the_original(CompressionType codec)
    {
        var data = SampleData(200_000);
        var compressed = TestBatches.Compress(codec, data);

        Assert.Equal(DecompressionStatus.Done, CompressionCodec.TryDecompress(codec, compressed, data.Length, out var output));
        using (output)
        {
            Assert.Equal(data, output!.Span.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Random_data_round_trips_through_every_codec(CompressionType codec)
    {
        Gen.Byte.Array[0, 5000].Sample(data =>
        {
            var compressed = TestBatches.Compress(codec, data);
            using var output = CompressionCodec.Decompress(codec, compressed, data.Length);
            Assert.Equal(data, output.Span.ToArray());
        }, iter: 50);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decompression_bomb_stops_at_the_cap(CompressionType codec)
    {
        var zeros = new byte[8 * 1024 * 1024];
        var compressed = TestBatches.Compress(codec, zeros);
        Assert.True(compressed.Length < 512 * 1024);

        Assert.Equal(DecompressionStatus.TooLarge, CompressionCodec.TryDecompress(codec, compressed, 1024 * 1024, out var output));
        Assert.Null(output);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Output_exactly_at_the_cap_is_accepted(CompressionType codec)
    {
        var data = SampleData(65_536);
        var compressed = TestBatches.Compress(codec, data);

        Assert.Equal(DecompressionStatus.Done, CompressionCodec.TryDecompress(codec, compressed, data.Length, out var output));
        output!.Dispose();
        Assert.Equal(DecompressionStatus.TooLarge, CompressionCodec.TryDecompress(codec, compressed, data.Length - 1, out _));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Garbage_input_is_reported_corrupt(CompressionType codec)
    {
        var garbage = new byte[300];
        new Random(3).NextBytes(garbage);
        garbage[0] = 0x05; // not a gzip, LZ4 or zstd magic, and a small snappy length so the decoder runs

        Assert.Equal(DecompressionStatus.Corrupt, CompressionCodec.TryDecompress(codec, garbage, 1 << 20, out var output));
        Assert.Null(output);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Empty_input_is_reported_corrupt(CompressionType codec)
    {
        Assert.Equal(DecompressionStatus.Corrupt, CompressionCodec.TryDecompress(codec, [], 1 << 20, out _));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Truncated_input_is_reported_corrupt(CompressionType codec)
    {
        var data = SampleData(100_000);
        var compressed = TestBatches.Compress(codec, data);
        var truncated = compressed.AsSpan(0, compressed.Length - 5);

        Assert.Equal(DecompressionStatus.Corrupt, CompressionCodec.TryDecompress(codec, truncated, 1 << 20, out _));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public void Unknown_codec_id_is_unsupported(int codec)
    {
        Assert.Equal(DecompressionStatus.UnsupportedCodec, CompressionCodec.TryDecompress((CompressionType)codec, [1, 2, 3], 100, out _));
        Assert.Throws<NotSupportedException>(() => CompressionCodec.Compress((CompressionType)codec, [1], new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Xerial_framed_snappy_from_the_java_client_is_read()
    {
        var data = SampleData(100_000);
        var xerial = TestBatches.Xerial(data, chunkSize: 32 * 1024);

        Assert.True(CompressionCodec.IsXerialSnappy(xerial));
        using var output = CompressionCodec.Decompress(CompressionType.Snappy, xerial, data.Length);
        Assert.Equal(data, output.Span.ToArray());
    }

    [Fact]
    public void Xerial_frame_with_only_a_header_is_empty()
    {
        var xerial = TestBatches.Xerial([], chunkSize: 1024);

        using var output = CompressionCodec.Decompress(CompressionType.Snappy, xerial, 100);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public void Xerial_block_length_past_the_end_is_corrupt()
    {
        var xerial = TestBatches.Xerial(SampleData(1000), chunkSize: 1024);
        xerial[CompressionCodec.XerialHeaderLength] = 0x7F; // block length now about 2 GiB

        Assert.Equal(DecompressionStatus.Corrupt, CompressionCodec.TryDecompress(CompressionType.Snappy, xerial, 1 << 20, out _));
    }

    [Fact]
    public void Xerial_blocks_over_the_cap_are_refused_before_allocating()
    {
        var data = new byte[4 * 1024 * 1024];
        var xerial = TestBatches.Xerial(data, chunkSize: 64 * 1024);

        Assert.Equal(DecompressionStatus.TooLarge, CompressionCodec.TryDecompress(CompressionType.Snappy, xerial, 1024 * 1024, out _));
    }

    [Fact]
    public void Raw_snappy_block_claiming_a_huge_length_is_refused_before_allocating()
    {
        // Varint preamble of 0x7FFFFFFF followed by nothing useful: a classic length bomb.
        byte[] bomb = [0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00];

        Assert.Equal(DecompressionStatus.TooLarge, CompressionCodec.TryDecompress(CompressionType.Snappy, bomb, 1 << 20, out _));
    }

    [Fact]
    public void Snappy_is_written_as_a_raw_block_like_librdkafka()
    {
        var compressed = TestBatches.Compress(CompressionType.Snappy, SampleData(1000));

        Assert.False(CompressionCodec.IsXerialSnappy(compressed));
        Assert.Equal(1000, Snappier.Snappy.GetUncompressedLength(compressed));
    }

    [Fact]
    public void Lz4_is_written_as_a_frame_the_java_client_can_read()
    {
        var compressed = TestBatches.Compress(CompressionType.Lz4, SampleData(1000));

        // Frame magic 0x184D2204, then FLG: version 01, independent blocks, no checksums, no content size.
        Assert.Equal(new byte[] { 0x04, 0x22, 0x4D, 0x18 }, compressed[..4]);
        Assert.Equal(0b0110_0000, compressed[4]);
        // BD: 64 KiB blocks (code 4), Java's default.
        Assert.Equal(4, (compressed[5] >> 4) & 0x7);
    }

    [Fact]
    public void Lz4_frame_with_a_wrong_header_checksum_is_corrupt()
    {
        var compressed = TestBatches.Compress(CompressionType.Lz4, SampleData(1000));
        compressed[6] ^= 0xFF; // HC byte after FLG and BD

        Assert.Equal(DecompressionStatus.Corrupt, CompressionCodec.TryDecompress(CompressionType.Lz4, compressed, 1 << 20, out _));
    }

    [Fact]
    public void Gzip_with_several_members_is_read_whole()
    {
        var first = TestBatches.Compress(CompressionType.Gzip, "hello "u8);
        var second = TestBatches.Compress(CompressionType.Gzip, "world"u8);

        using var output = CompressionCodec.Decompress(CompressionType.Gzip, [.. first, .. second], 100);
        Assert.Equal("hello world"u8.ToArray(), output.Span.ToArray());
    }

    [Fact]
    public void Gzip_written_by_the_framework_is_read()
    {
        var data = SampleData(10_000);
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(data);
        }

        using var output = CompressionCodec.Decompress(CompressionType.Gzip, stream.ToArray(), data.Length);
        Assert.Equal(data, output.Span.ToArray());
    }

    [Fact]
    public void Zstd_with_several_frames_is_read_whole()
    {
        var first = TestBatches.Compress(CompressionType.Zstd, "hello "u8);
        var second = TestBatches.Compress(CompressionType.Zstd, "world"u8);

        using var output = CompressionCodec.Decompress(CompressionType.Zstd, [.. first, .. second], 100);
        Assert.Equal("hello world"u8.ToArray(), output.Span.ToArray());
    }

    [Fact]
    public void Zstd_stream_without_declared_size_is_read()
    {
        var data = SampleData(300_000);
        using var stream = new MemoryStream();
        using (var zstd = new ZstdSharp.CompressionStream(stream, 3, leaveOpen: true))
        {
            zstd.Write(data);
        }

        // Frame header descriptor: no Frame_Content_Size field and not single-segment.
        Assert.Equal(0, stream.ToArray()[4] & 0b1110_0000);
        using var output = CompressionCodec.Decompress(CompressionType.Zstd, stream.ToArray(), data.Length);
        Assert.Equal(data, output.Span.ToArray());
    }

    [Fact]
    public void Gzip_with_trailing_garbage_is_corrupt()
    {
        var compressed = TestBatches.Compress(CompressionType.Gzip, SampleData(1000));

        Assert.Equal(DecompressionStatus.Corrupt, CompressionCodec.TryDecompress(CompressionType.Gzip, [.. compressed, 1, 2, 3], 1 << 20, out _));
    }

    [Fact]
    public void Gzip_crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, GzipTrailer.Compute("123456789"u8));
    }

    [Fact]
    public void Disposed_buffer_throws_on_access()
    {
        var output = CompressionCodec.Decompress(CompressionType.Snappy, TestBatches.Compress(CompressionType.Snappy, [1, 2, 3]), 10);
        output.Dispose();
        output.Dispose();

        Assert.Throws<ObjectDisposedException>(() => output.Length);
    }
}
