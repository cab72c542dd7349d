using System.Buffers;
using System.Buffers.Binary;
using Runnel.Cli.Kafka;
using Runnel.Protocol.Framing;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// Encodes the wire producers' Produce requests: one record batch for one partition per request,
/// as a Kafka producer without idempotence writes it (magic 2, no compression, producer id -1,
/// null keys, no headers; every record stamped with the wall-clock time the batch is made, so
/// timestamp deltas are 0). Each value is the record's scheduled Stopwatch time (8 bytes, little
/// endian) followed by 'A's.
/// </summary>
/// <remarks>
/// Owned by the event-loop thread, and allocation-free once warm: the batch builder, the batch
/// bytes and the request objects are reused (a <see cref="RecordBatchBuilder"/> without compression
/// or headers appends and writes without allocating), and the frame buffer comes from the shared
/// pool, grown when a larger request needs it, returned on dispose.
/// </remarks>
internal sealed class ProduceRequestEncoder : IDisposable
{
    private readonly RecordBatchBuilder _batch = new();
    private readonly ArrayBufferWriter<byte> _batchBytes = new();
    private readonly byte[] _value;
    private readonly RequestHeader _header;
    private readonly ProduceRequest _request;
    private readonly ProduceRequest.PartitionProduceData _partition = new();
    private byte[] _frame = [];

    public ProduceRequestEncoder(string topic, int recordSize, WireProducerOptions options)
    {
        _value = new byte[recordSize];
        _value.AsSpan(EndToEndLatency.TimestampBytes).Fill((byte)'A');
        _header = new RequestHeader { ApiKey = (short)ProduceRequest.MessageApiKey, ClientId = options.ClientId };
        _request = new ProduceRequest
        {
            Acks = options.Acks,
            TimeoutMs = options.RequestTimeoutMs,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [_partition] }],
        };
        RecordsPerBatch = CountRecordsPerBatch(recordSize, options.BatchSize);
    }

    /// <summary>The records of one full batch: as many as fit in batch.size with the batch header, at least one.</summary>
    public int RecordsPerBatch { get; }

    /// <summary>
    /// How many records of <paramref name="recordSize"/> value bytes fit in one batch of at most
    /// <paramref name="batchSize"/> bytes (Kafka counts the batch header too); at least one, as a
    /// record larger than batch.size goes in a batch of its own.
    /// </summary>
    public static int CountRecordsPerBatch(int recordSize, int batchSize)
    {
        // Each record encoded as the batches will hold it (its offset delta's varint grows with the
        // count), into one scratch buffer reused per record.
        ArrayBufferWriter<byte> record = new();
        byte[] value = new byte[recordSize];
        long size = RecordBatchHeader.Size;
        int count = 0;
        while (true)
        {
            record.ResetWrittenCount();
            RecordBatchBuilder.WriteRecord(record, count, 0, default, false, value, true, null);
            size += record.WrittenCount;
            if (count > 0 && size > batchSize)
            {
                return count;
            }

            count++;
        }
    }

    /// <summary>
    /// Encodes a request carrying <paramref name="count"/> records of the schedule, starting at
    /// record <paramref name="first"/> and taking every <paramref name="stride"/>-th, for
    /// <paramref name="partition"/>. The frame is valid until the next call.
    /// </summary>
    public ReadOnlySpan<byte> Encode(
        short version, int correlationId, int partition, in FixedRateSchedule schedule, long first, int stride, int count)
    {
        long timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _batch.Clear();
        for (int r = 0; r < count; r++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_value, schedule.ScheduledAt(first + ((long)r * stride)));
            _batch.Append(timestamp, null, _value);
        }

        _batchBytes.ResetWrittenCount();
        _batch.WriteTo(_batchBytes);
        _partition.Index = partition;
        _partition.Records = _batchBytes.WrittenMemory;
        _header.ApiVersion = version;
        _header.CorrelationId = correlationId;
        int length = KafkaWireConnection.WriteRequest(_header, _request, ref _frame);
        return _frame.AsSpan(0, length);
    }

    public void Dispose()
    {
        if (_frame.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_frame);
            _frame = [];
        }
    }
}
