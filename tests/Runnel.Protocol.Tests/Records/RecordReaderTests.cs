using System.Buffers;
using System.Text;
using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests.Records;

public class RecordReaderTests
{
    private static byte[] Section(Action<RecordBatchBuilder> build)
    {
        var builder = new RecordBatchBuilder();
        build(builder);
        return TestBatches.Section(builder.ToArray());
    }

    [Fact]
    public void Null_and_empty_keys_and_values_are_distinguished()
    {
        var section = Section(b => b
            .Append(1, null, null)
            .Append(2, [], [])
            .Append(3, [1], [2, 3]));

        var reader = new RecordReader(section, 3);
        Assert.True(reader.MoveNext());
        Assert.False(reader.Current.HasKey);
        Assert.False(reader.Current.HasValue);
        Assert.True(reader.MoveNext());
        Assert.True(reader.Current.HasKey);
        Assert.True(reader.Current.Key.IsEmpty);
        Assert.True(reader.Current.HasValue);
        Assert.True(reader.Current.Value.IsEmpty);
        Assert.True(reader.MoveNext());
        Assert.Equal(new byte[] { 1 }, reader.Current.Key.ToArray());
        Assert.Equal(new byte[] { 2, 3 }, reader.Current.Value.ToArray());
        Assert.Equal(2, reader.Current.OffsetDelta);
        Assert.Equal(2, reader.Current.TimestampDelta);
        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.Done, reader.Status);
    }

    [Fact]
    public void Headers_are_enumerated_in_order_with_null_values()
    {
        var section = Section(b => b.Append(1, [9], [8], [new("trace", [1, 2]), new("empty", []), new("none", null)]));

        var reader = new RecordReader(section, 1);
        Assert.True(reader.MoveNext());
        var record = reader.Current;
        Assert.Equal(3, record.HeaderCount);

        var keys = new List<string>();
        var values = new List<byte[]?>();
        foreach (var header in record.Headers)
        {
            keys.Add(Encoding.UTF8.GetString(header.Key));
            values.Add(header.HasValue ? header.Value.ToArray() : null);
        }

        Assert.Equal(["trace", "empty", "none"], keys);
        Assert.Equal(new byte[] { 1, 2 }, values[0]);
        Assert.Equal([], values[1]!);
        Assert.Null(values[2]);
    }

    [Fact]
    public void Record_size_includes_the_length_prefix()
    {
        var section = Section(b => b.Append(1, [1], [2]));

        var reader = new RecordReader(section, 1);
        Assert.True(reader.MoveNext());
        Assert.Equal(section.Length, reader.Current.SizeInBytes);
    }

    [Fact]
    public void Fewer_records_than_declared_is_truncation()
    {
        var section = Section(b => b.Append(1, [1], [2]));

        var reader = new RecordReader(section, 2);
        Assert.True(reader.MoveNext());
        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.Truncated, reader.Status);
        Assert.Equal(1, reader.RecordsRead);
        Assert.Contains("premature EOF", reader.GetErrorMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void More_records_than_declared_is_trailing_bytes()
    {
        var section = Section(b => b.Append(1, [1], [2]).Append(2, [1], [2]));

        var reader = new RecordReader(section, 1);
        Assert.True(reader.MoveNext());
        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.TrailingBytes, reader.Status);
    }

    [Fact]
    public void Negative_record_count_is_rejected()
    {
        var reader = new RecordReader([], -1);

        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.InvalidRecordCount, reader.Status);
    }

    [Fact]
    public void Record_length_past_the_end_is_rejected()
    {
        var section = Section(b => b.Append(1, [1], [2]));

        var reader = new RecordReader(section.AsSpan(0, section.Length - 1), 1);
        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.InvalidRecordLength, reader.Status);
    }

    [Fact]
    public void Record_length_longer_than_its_fields_is_a_mismatch()
    {
        var section = Section(b => b.Append(1, [1], [2]));
        // Grow the declared length by one and append a stray byte inside the record.
        section[0] += 2; // zig-zag: +1 in value
        byte[] padded = [.. section, 0];

        var reader = new RecordReader(padded, 1);
        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.RecordLengthMismatch, reader.Status);
    }

    [Fact]
    public void Key_length_below_minus_one_is_rejected()
    {
        var output = new ArrayBufferWriter<byte>();
        // length, attributes, timestampDelta 0, offsetDelta 0, key length -2, value -1, headers 0
        output.Write<byte>([12, 0, 0, 0, 3, 1, 0]);

        var reader = new RecordReader(output.WrittenSpan, 1);
        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.InvalidFieldLength, reader.Status);
    }

    [Fact]
    public void Negative_header_count_is_rejected()
    {
        var reader = new RecordReader([12, 0, 0, 0, 1, 1, 1], 1);

        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.InvalidHeaderCount, reader.Status);
    }

    [Fact]
    public void Header_count_larger_than_the_record_is_rejected()
    {
        // 100 headers claimed in a 7-byte body.
        var reader = new RecordReader([14, 0, 0, 0, 1, 1, 0xC8, 0x01], 1);

        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.InvalidHeaderCount, reader.Status);
    }

    [Fact]
    public void Negative_header_key_length_is_rejected()
    {
        // one header whose key length is -1
        var reader = new RecordReader([16, 0, 0, 0, 1, 1, 2, 1, 1], 1);

        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.InvalidHeaderKeyLength, reader.Status);
    }

    [Fact]
    public void Errors_are_sticky()
    {
        var reader = new RecordReader([0xFF], 1);

        Assert.False(reader.MoveNext());
        var status = reader.Status;
        Assert.False(reader.MoveNext());
        Assert.Equal(status, reader.Status);
        Assert.NotEqual(RecordReadStatus.Done, status);
    }

    [Fact]
    public void Zero_records_in_an_empty_section_is_done()
    {
        var reader = new RecordReader([], 0);

        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.Done, reader.Status);
    }
}
