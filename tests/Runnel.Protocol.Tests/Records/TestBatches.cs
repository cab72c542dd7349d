using System.Buffers;
using System.Buffers.Binary;
using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests.Records;

/// <summary>Builders and byte surgery shared by the record tests.</summary>
internal static class TestBatches
{
    public const long Now = 1_700_000_000_000;

    public static RecordBatchValidationOptions Options => new() { NowMs = Now };

    public static byte[] Simple(int records = 3, CompressionType compression = CompressionType.None, long timestamp = Now)
    {
        var builder = new RecordBatchBuilder { Compression = compression };
        for (var i = 0; i < records; i++)
        {
            builder.Append(timestamp + i, [(byte)'k', (byte)i], [(byte)'v', (byte)i, 42]);
        }

        return builder.ToArray();
    }

    /// <summary>The uncompressed record section of <paramref name="batch"/> (which must be uncompressed).</summary>
    public static byte[] Section(byte[] batch) => batch.AsSpan(RecordBatchHeader.Size).ToArray();

    /// <summary>Copies <paramref name="template"/>'s header onto <paramref name="payload"/> with the given codec, fixing length and CRC.</summary>
    public static byte[] WithPayload(byte[] template, CompressionType codec, ReadOnlySpan<byte> payload)
    {
        var batch = new byte[RecordBatchHeader.Size + payload.Length];
        template.AsSpan(0, RecordBatchHeader.Size).CopyTo(batch);
        payload.CopyTo(batch.AsSpan(RecordBatchHeader.Size));
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), batch.Length - RecordBatchHeader.LogOverhead);
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch.AsSpan(RecordBatchHeader.AttributesOffset));
        attributes = (short)((attributes & ~RecordBatchHeader.CompressionMask) | (int)codec);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchHeader.AttributesOffset), attributes);
        RecordBatchHeader.UpdateCrc(batch);
        return batch;
    }

    /// <summary>Applies <paramref name="edit"/> to a copy and recomputes the CRC, so only the edited field is wrong.</summary>
    public static byte[] Edited(byte[] batch, Action<byte[]> edit)
    {
        var copy = (byte[])batch.Clone();
        edit(copy);
        RecordBatchHeader.UpdateCrc(copy);
        return copy;
    }

    /// <summary>Xerial snappy-java framing built by hand from Snappier raw blocks of <paramref name="chunkSize"/> bytes.</summary>
    public static byte[] Xerial(ReadOnlySpan<byte> data, int chunkSize)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(CompressionCodec.XerialMagic);
        var words = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(words, 1);
        BinaryPrimitives.WriteInt32BigEndian(words.AsSpan(4), 1);
        output.Write(words);
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var chunk = data.Slice(offset, Math.Min(chunkSize, data.Length - offset));
            var block = Snappier.Snappy.CompressToArray(chunk);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, block.Length);
            output.Write(length);
            output.Write(block);
        }

        return output.WrittenSpan.ToArray();
    }

    public static byte[] Compress(CompressionType codec, ReadOnlySpan<byte> data)
    {
        var output = new ArrayBufferWriter<byte>();
        CompressionCodec.Compress(codec, data, output);
        return output.WrittenSpan.ToArray();
    }
}
