using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Runnel.Cli.Perf;
using Runnel.Cli.Perf.Wire;
using Runnel.Protocol.Framing;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Protocol.Records;

namespace Runnel.Cli.Tests.Perf.Wire;

public class ProduceRequestEncoderTests
{
    private static readonly WireProducerOptions s_options = new([], "test-client", -1, 0, 500, 5, 1234);

    [Theory]
    [InlineData(32, 500)]
    [InlineData(8, 16384)]
    [InlineData(100, 16384)]
    [InlineData(1000, 16384)]
    public void A_full_batch_is_as_many_records_as_fit_in_batch_size_with_the_header(int recordSize, int batchSize)
    {
        int count = ProduceRequestEncoder.CountRecordsPerBatch(recordSize, batchSize);

        Assert.True(BatchSize(count, recordSize) <= batchSize);
        Assert.True(BatchSize(count + 1, recordSize) > batchSize);
    }

    [Fact]
    public void A_record_larger_than_batch_size_goes_in_a_batch_of_its_own()
    {
        Assert.Equal(1, ProduceRequestEncoder.CountRecordsPerBatch(1000, 500));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(12)]
    public void A_request_carries_one_batch_of_the_scheduled_records_for_one_partition(short version)
    {
        using ProduceRequestEncoder encoder = new("topic-a", 16, s_options);
        FixedRateSchedule schedule = FixedRateSchedule.At(start: 1_000_000, recordsPerSecond: 1000, records: 100);

        byte[] frame = encoder.Encode(version, correlationId: 42, partition: 3, schedule, first: 2, stride: 4, count: 3).ToArray();

        Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32BigEndian(frame));
        ProtocolReader reader = new(frame.AsMemory(4));
        RequestHeader header = new();
        header.Read(ref reader);
        Assert.Equal((0, version, 42, "test-client"), (header.ApiKey, header.ApiVersion, header.CorrelationId, header.ClientId));
        ProduceRequest request = new();
        request.Read(ref reader, version);
        Assert.True(reader.End);
        Assert.Equal((null, (short)-1, 1234), (request.TransactionalId, request.Acks, request.TimeoutMs));
        ProduceRequest.TopicProduceData topic = Assert.Single(request.TopicData);
        Assert.Equal("topic-a", topic.Name);
        ProduceRequest.PartitionProduceData partition = Assert.Single(topic.PartitionData);
        Assert.Equal(3, partition.Index);

        ReadOnlySpan<byte> batch = partition.Records!.Value.Span;
        RecordBatchHeader batchHeader = RecordBatchHeader.Read(batch);
        Assert.Equal(batch.Length, batchHeader.TotalSize);
        Assert.True(RecordBatchHeader.HasValidCrc(batch));
        Assert.Equal((2, CompressionType.None, -1L, 3, 2), (batchHeader.Magic, batchHeader.Compression, batchHeader.ProducerId, batchHeader.RecordCount, batchHeader.LastOffsetDelta));
        Assert.Equal(batchHeader.BaseTimestamp, batchHeader.MaxTimestamp);

        // Records 2, 6 and 10 of the schedule: their scheduled times, then 'A's; no key, no headers.
        List<long> scheduled = [];
        RecordReader records = new(batch[RecordBatchHeader.Size..], batchHeader.RecordCount);
        while (records.MoveNext())
        {
            Runnel.Protocol.Records.Record record = records.Current;
            Assert.False(record.HasKey);
            Assert.Equal(0, record.HeaderCount);
            Assert.Equal(0, record.TimestampDelta);
            Assert.Equal(16, record.Value.Length);
            Assert.True(record.Value[8..].SequenceEqual("AAAAAAAA"u8));
            scheduled.Add(BinaryPrimitives.ReadInt64LittleEndian(record.Value));
        }

        Assert.Equal(RecordReadStatus.Done, records.Status);
        Assert.Equal([schedule.ScheduledAt(2), schedule.ScheduledAt(6), schedule.ScheduledAt(10)], scheduled);
        Assert.Equal(1_000_000 + (6 * Stopwatch.Frequency / 1000), scheduled[1]);
    }

    [Fact]
    public void Encoding_allocates_nothing_once_warm()
    {
        using ProduceRequestEncoder encoder = new("topic-a", 100, s_options with { BatchSize = 16384 });
        FixedRateSchedule schedule = FixedRateSchedule.At(start: 0, recordsPerSecond: 100_000, records: 1_000_000);
        encoder.Encode(12, 0, 0, schedule, 0, 100, encoder.RecordsPerBatch);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i <= 100; i++)
        {
            encoder.Encode(12, i, i % 16, schedule, i, 100, 1 + (i % encoder.RecordsPerBatch));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static int BatchSize(int records, int recordSize)
    {
        RecordBatchBuilder builder = new();
        for (int i = 0; i < records; i++)
        {
            builder.Append(0, null, new byte[recordSize]);
        }

        ArrayBufferWriter<byte> bytes = new();
        return builder.WriteTo(bytes);
    }
}
