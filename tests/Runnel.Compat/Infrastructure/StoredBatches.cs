using System.Buffers.Binary;
using System.Text;
using Runnel.TestKit;

namespace Runnel.Compat.Infrastructure;

/// <summary>One record batch as the broker serves it: where it starts, how many records, which codec.</summary>
public sealed record StoredBatch(long BaseOffset, long LastOffset, int RecordCount, int Codec)
{
    public static string CodecName(int codec) => codec switch
    {
        0 => "none",
        1 => "gzip",
        2 => "snappy",
        3 => "lz4",
        4 => "zstd",
        _ => "codec " + codec,
    };

    public override string ToString() => $"batch {BaseOffset}..{LastOffset} ({RecordCount} records, {CodecName(Codec)})";
}

/// <summary>
/// Reads the batch headers of a partition with a hand-encoded Fetch v4 (independent of any client
/// library and of Runnel's own codecs), to prove which codec a client really used: librdkafka
/// before 2.11 silently sends uncompressed batches when it thinks the broker is too old, and falls
/// back to uncompressed when compression would not shrink the batch.
/// </summary>
public static class StoredBatches
{
    public static async Task<List<StoredBatch>> ReadAsync(string host, int port, string topic, int partition, long endOffset)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var wire = await WireClient.ConnectAsync(host, port, cancellationToken);
        var batches = new List<StoredBatch>();
        var next = 0L;
        var correlationId = 0;
        while (next < endOffset)
        {
            await wire.SendRawAsync(EncodeFetchV4(++correlationId, topic, partition, next), cancellationToken);
            var frame = await wire.ReadFrameAsync(cancellationToken) ?? throw new IOException("The broker closed the connection on Fetch v4.");
            var records = DecodeFetchV4Records(frame, correlationId);
            var before = batches.Count;
            ParseBatches(records, batches);
            if (batches.Count == before)
            {
                throw new InvalidDataException($"Fetch v4 at offset {next} of {topic}[{partition}] returned no complete batch ({records.Length} record bytes).");
            }

            var last = batches[^1];
            next = last.LastOffset + 1;
        }

        return batches;
    }

    private static byte[] EncodeFetchV4(int correlationId, string topic, int partition, long offset)
    {
        var body = new List<byte>();
        void Int16(short v) => body.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(v)));
        void Int32(int v) => body.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(v)));
        void Int64(long v) => body.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(v)));
        void String(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            Int16((short)bytes.Length);
            body.AddRange(bytes);
        }

        Int16(1); // api key: Fetch
        Int16(4); // api version
        Int32(correlationId);
        String("runnel-compat-batch-reader");
        Int32(-1); // replica id: a consumer
        Int32(0); // max wait ms: answer at once
        Int32(1); // min bytes
        Int32(16 * 1024 * 1024); // max bytes
        body.Add(0); // isolation level: read uncommitted
        Int32(1); // topics
        String(topic);
        Int32(1); // partitions
        Int32(partition);
        Int64(offset);
        Int32(16 * 1024 * 1024); // partition max bytes
        var frame = new byte[4 + body.Count];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Count);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static byte[] DecodeFetchV4Records(byte[] frame, int correlationId)
    {
        var span = new ReadOnlySpan<byte>(frame);
        var position = 0;
        int Int32(ReadOnlySpan<byte> s)
        {
            var v = BinaryPrimitives.ReadInt32BigEndian(s[position..]);
            position += 4;
            return v;
        }

        short Int16(ReadOnlySpan<byte> s)
        {
            var v = BinaryPrimitives.ReadInt16BigEndian(s[position..]);
            position += 2;
            return v;
        }

        var gotCorrelation = Int32(span);
        if (gotCorrelation != correlationId)
        {
            throw new InvalidDataException($"Fetch v4 response correlation id {gotCorrelation}, expected {correlationId}.");
        }

        Int32(span); // throttle time
        var topics = Int32(span);
        if (topics != 1)
        {
            throw new InvalidDataException($"Fetch v4 response has {topics} topics, expected 1.");
        }

        var topicNameLength = Int16(span);
        position += topicNameLength;
        var partitions = Int32(span);
        if (partitions != 1)
        {
            throw new InvalidDataException($"Fetch v4 response has {partitions} partitions, expected 1.");
        }

        Int32(span); // partition index
        var error = Int16(span);
        if (error != 0)
        {
            throw new InvalidDataException($"Fetch v4 returned error code {error}.");
        }

        position += 16; // high watermark, last stable offset
        var aborted = Int32(span);
        position += Math.Max(aborted, 0) * 16;
        var length = Int32(span);
        return length < 0 ? [] : span.Slice(position, length).ToArray();
    }

    private static void ParseBatches(ReadOnlySpan<byte> records, List<StoredBatch> batches)
    {
        var position = 0;
        while (records.Length - position >= 61)
        {
            var baseOffset = BinaryPrimitives.ReadInt64BigEndian(records[position..]);
            var batchLength = BinaryPrimitives.ReadInt32BigEndian(records[(position + 8)..]);
            if (records.Length - position < 12 + batchLength)
            {
                break; // partial batch at the end of the response
            }

            var attributes = BinaryPrimitives.ReadInt16BigEndian(records[(position + 21)..]);
            var lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(records[(position + 23)..]);
            var recordCount = BinaryPrimitives.ReadInt32BigEndian(records[(position + 57)..]);
            batches.Add(new StoredBatch(baseOffset, baseOffset + lastOffsetDelta, recordCount, attributes & 0x7));
            position += 12 + batchLength;
        }
    }
}
