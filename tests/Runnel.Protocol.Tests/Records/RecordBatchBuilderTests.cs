using System.Buffers;
using System.Buffers.Binary;
using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests.Records;

public class RecordBatchBuilderTests
{
    [Fact]
    public void Header_fields_follow_the_builder_settings()
    {
        var builder = new RecordBatchBuilder
        {
            BaseOffset = 100,
            PartitionLeaderEpoch = 4,
            ProducerId = 77,
            ProducerEpoch = 2,
            BaseSequence = 10,
            IsTransactional = true,
            Compression = CompressionType.Lz4,
        };
        builder.Append(2000, [1], [1]).Append(1500, [2], [2]).Append(2500, [3], [3]);

        var batch = builder.ToArray();
        var header = RecordBatchHeader.Read(batch);

        Assert.Equal(100, header.BaseOffset);
        Assert.Equal(batch.Length, header.TotalSize);
        Assert.Equal(4, header.PartitionLeaderEpoch);
        Assert.Equal(RecordBatchHeader.CurrentMagic, header.Magic);
        Assert.Equal(CompressionType.Lz4, header.Compression);
        Assert.True(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.False(header.IsLogAppendTime);
        Assert.Equal(2, header.LastOffsetDelta);
        Assert.Equal(2000, header.BaseTimestamp);
        Assert.Equal(2500, header.MaxTimestamp);
        Assert.Equal(77, header.ProducerId);
        Assert.Equal(2, header.ProducerEpoch);
        Assert.Equal(10, header.BaseSequence);
        Assert.Equal(3, header.RecordCount);
        Assert.True(RecordBatchHeader.HasValidCrc(batch));
    }

    [Fact]
    public void End_transaction_marker_has_kafka_control_record_layout()
    {
        var batch = new RecordBatchBuilder { ProducerId = 8, ProducerEpoch = 1 }
            .AppendEndTransactionMarker(ControlRecordType.Commit, coordinatorEpoch: 6, timestamp: 1234)
            .ToArray();

        var header = RecordBatchHeader.Read(batch);
        Assert.True(header.IsControl);
        Assert.True(header.IsTransactional);

        var reader = new RecordReader(batch.AsSpan(RecordBatchHeader.Size), header.RecordCount);
        Assert.True(reader.MoveNext());
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, reader.Current.Key.ToArray());
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 6 }, reader.Current.Value.ToArray());
        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.Done, reader.Status);
    }

    [Fact]
    public void Last_offset_delta_override_keeps_a_compacted_batch_range()
    {
        var batch = new RecordBatchBuilder { LastOffsetDelta = 9 }
            .AppendWithOffsetDelta(3, 10, [1], [1])
            .AppendWithOffsetDelta(7, 10, [2], [2])
            .ToArray();

        var header = RecordBatchHeader.Read(batch);
        Assert.Equal(9, header.LastOffsetDelta);
        Assert.Equal(2, header.RecordCount);
    }

    [Fact]
    public void Clear_makes_the_builder_reusable()
    {
        var builder = new RecordBatchBuilder();
        builder.Append(1, [1], [1]).Append(2, [2], [2]);
        builder.Clear();
        builder.Append(5, [3], [3]);

        var header = RecordBatchHeader.Read(builder.ToArray());

        Assert.Equal(1, header.RecordCount);
        Assert.Equal(5, header.BaseTimestamp);
        Assert.Equal(0, header.LastOffsetDelta);
    }

    [Fact]
    public void Write_to_appends_after_existing_content()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write<byte>([9, 9, 9]);
        var builder = new RecordBatchBuilder().Append(1, [1], [1]);

        var size = builder.WriteTo(output);

        Assert.Equal(3 + size, output.WrittenCount);
        Assert.Equal(size - RecordBatchHeader.LogOverhead, BinaryPrimitives.ReadInt32BigEndian(output.WrittenSpan[(3 + RecordBatchHeader.BatchLengthOffset)..]));
    }
}
