using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests.Records;

public class RecordBatchHeaderTests
{
    [Fact]
    public void Setting_the_same_max_timestamp_leaves_the_batch_untouched()
    {
        var batch = TestBatches.Simple(records: 3, timestamp: 1000);
        var before = (byte[])batch.Clone();

        Assert.False(RecordBatchHeader.SetMaxTimestamp(batch, TimestampType.CreateTime, 1002));
        Assert.Equal(before, batch);
    }

    [Fact]
    public void Setting_a_new_max_timestamp_rewrites_the_crc()
    {
        var batch = TestBatches.Simple(records: 3, timestamp: 1000);

        Assert.True(RecordBatchHeader.SetMaxTimestamp(batch, TimestampType.LogAppendTime, 5000));

        var header = RecordBatchHeader.Read(batch);
        Assert.True(header.IsLogAppendTime);
        Assert.Equal(5000, header.MaxTimestamp);
        Assert.True(RecordBatchHeader.HasValidCrc(batch));

        Assert.True(RecordBatchHeader.SetMaxTimestamp(batch, TimestampType.CreateTime, 1002));
        Assert.False(RecordBatchHeader.Read(batch).IsLogAppendTime);
        Assert.True(RecordBatchHeader.HasValidCrc(batch));
    }

    [Fact]
    public void Crc_check_detects_a_changed_covered_byte()
    {
        var batch = TestBatches.Simple();
        Assert.True(RecordBatchHeader.HasValidCrc(batch));

        batch[RecordBatchHeader.AttributesOffset + 1] ^= 0x40;

        Assert.False(RecordBatchHeader.HasValidCrc(batch));
    }
}
