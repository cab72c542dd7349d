using Runnel.Cli.Perf.Wire;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;

namespace Runnel.Cli.Tests.Perf.Wire;

public class FetchedRecordCounterTests
{
    private static readonly byte[] s_key = [1, 2, 3];

    [Fact]
    public void Counts_every_record_with_its_key_and_value_bytes_and_moves_past_the_last_batch()
    {
        byte[] data = [.. Batch(0, 3, valueSize: 10), .. Batch(3, 2, valueSize: 20, withKey: false)];

        FetchedCount count = FetchedRecordCounter.Count(data, fetchOffset: 0, long.MaxValue, checkCrc: true, aborted: null);

        Assert.Equal(new FetchedCount(5, (3 * (3 + 10)) + (2 * 20), 5), count);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Compressed_batches_are_inflated_and_counted(CompressionType compression)
    {
        byte[] data = Batch(10, 4, valueSize: 100, compression: compression);

        FetchedCount count = FetchedRecordCounter.Count(data, fetchOffset: 10, long.MaxValue, checkCrc: true, aborted: null);

        Assert.Equal(new FetchedCount(4, 4 * 103, 14), count);
    }

    [Fact]
    public void Records_before_the_fetch_offset_in_the_first_batch_are_not_counted()
    {
        byte[] data = Batch(0, 5, valueSize: 1);

        FetchedCount count = FetchedRecordCounter.Count(data, fetchOffset: 3, long.MaxValue, checkCrc: false, aborted: null);

        Assert.Equal(new FetchedCount(2, 2 * 4, 5), count);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Lz4)]
    public void A_sink_gets_each_counted_record_in_order_with_its_offset_key_and_value(CompressionType compression)
    {
        RecordBatchBuilder first = new() { BaseOffset = 10, Compression = compression };
        RecordBatchBuilder second = new() { BaseOffset = 17, Compression = compression };
        for (byte i = 0; i < 3; i++)
        {
            first.Append(1_000, null, [i, i]);
            second.Append(1_000, [i], [(byte)(10 + i)]);
        }

        byte[] data = [.. first.ToArray(), .. Marker(16, producerId: 7, ControlRecordType.Commit), .. second.ToArray()];
        RecordingSink sink = new();

        FetchedCount count = FetchedRecordCounter.Count(data, fetchOffset: 11, maxRecords: 4, checkCrc: true, aborted: null, sink);

        // Offset 10 is before the fetch offset, the marker at 16 is not a record, and the limit stops after 4.
        Assert.Equal(4, count.Records);
        Assert.Equal(["11: -/0101", "12: -/0202", "17: 00/0A", "18: 01/0B"], sink.Delivered);
    }

    [Fact]
    public void A_partial_batch_at_the_end_is_left_for_the_next_fetch()
    {
        byte[] second = Batch(2, 2, valueSize: 50);
        byte[] data = [.. Batch(0, 2, valueSize: 50), .. second.AsSpan(0, second.Length - 1)];

        FetchedCount count = FetchedRecordCounter.Count(data, fetchOffset: 0, long.MaxValue, checkCrc: true, aborted: null);

        Assert.Equal(new FetchedCount(2, 2 * 53, 2), count);
    }

    [Fact]
    public void Counting_stops_at_the_limit()
    {
        byte[] data = [.. Batch(0, 3, valueSize: 1), .. Batch(3, 3, valueSize: 1)];

        FetchedCount count = FetchedRecordCounter.Count(data, fetchOffset: 0, maxRecords: 4, checkCrc: false, aborted: null);

        Assert.Equal(4, count.Records);
        Assert.Equal(4 * 4, count.Bytes);
    }

    [Fact]
    public void A_corrupt_batch_fails_the_crc_check_only_when_checked()
    {
        byte[] data = Batch(0, 2, valueSize: 8);
        data[^2] ^= 0xFF; // the last value byte (the record's header count follows)

        InvalidDataException e = Assert.Throws<InvalidDataException>(() => FetchedRecordCounter.Count(data, 0, long.MaxValue, checkCrc: true, aborted: null));
        Assert.Contains("CRC", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, FetchedRecordCounter.Count(data, 0, long.MaxValue, checkCrc: false, aborted: null).Records);
    }

    [Fact]
    public void A_batch_that_is_not_v2_is_refused()
    {
        byte[] data = Batch(0, 1, valueSize: 8);
        data[RecordBatchHeader.MagicOffset] = 1;

        Assert.Throws<InvalidDataException>(() => FetchedRecordCounter.Count(data, 0, long.MaxValue, checkCrc: false, aborted: null));
    }

    [Fact]
    public void Control_batches_are_not_records()
    {
        byte[] data = [.. Transactional(0, producerId: 7, 2), .. Marker(2, producerId: 7, ControlRecordType.Commit)];

        FetchedCount count = FetchedRecordCounter.Count(data, 0, long.MaxValue, checkCrc: true, aborted: null);

        Assert.Equal(new FetchedCount(2, 2 * 13, 3), count);
    }

    [Fact]
    public void Read_committed_skips_the_batches_of_aborted_transactions_and_nothing_else()
    {
        // Producer 7 aborts a transaction at 0-1 (marker 4), producer 8 commits 2-3 (marker 5), then
        // producer 7 writes again at 6 in a new transaction that is not aborted.
        byte[] data =
        [
            .. Transactional(0, producerId: 7, 2),
            .. Transactional(2, producerId: 8, 2),
            .. Marker(4, producerId: 7, ControlRecordType.Abort),
            .. Marker(5, producerId: 8, ControlRecordType.Commit),
            .. Transactional(6, producerId: 7, 1),
        ];
        AbortedTransactionFilter filter = new();
        filter.Reset([new FetchResponse.AbortedTransaction { ProducerId = 7, FirstOffset = 0 }]);

        FetchedCount committed = FetchedRecordCounter.Count(data, 0, long.MaxValue, checkCrc: true, filter);
        filter.Reset(null);
        FetchedCount all = FetchedRecordCounter.Count(data, 0, long.MaxValue, checkCrc: true, filter);

        Assert.Equal(new FetchedCount(3, 3 * 13, 7), committed);
        Assert.Equal(new FetchedCount(5, 5 * 13, 7), all);
    }

    private static byte[] Batch(long baseOffset, int records, int valueSize, bool withKey = true, CompressionType compression = CompressionType.None)
    {
        RecordBatchBuilder builder = new() { BaseOffset = baseOffset, Compression = compression };
        for (int i = 0; i < records; i++)
        {
            builder.Append(1_000 + i, withKey ? s_key : null, new byte[valueSize]);
        }

        return builder.ToArray();
    }

    private static byte[] Transactional(long baseOffset, long producerId, int records)
    {
        RecordBatchBuilder builder = new() { BaseOffset = baseOffset, ProducerId = producerId, ProducerEpoch = 0, BaseSequence = 0, IsTransactional = true };
        for (int i = 0; i < records; i++)
        {
            builder.Append(1_000, s_key, new byte[10]);
        }

        return builder.ToArray();
    }

    private static byte[] Marker(long offset, long producerId, ControlRecordType type) =>
        new RecordBatchBuilder { BaseOffset = offset, ProducerId = producerId, ProducerEpoch = 0 }
            .AppendEndTransactionMarker(type, coordinatorEpoch: 0, timestamp: 2_000)
            .ToArray();

    private sealed class RecordingSink : IFetchedRecordSink
    {
        public List<string> Delivered { get; } = [];

        public void Deliver(long offset, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
            Delivered.Add($"{offset}: {(key.IsEmpty ? "-" : Convert.ToHexString(key))}/{Convert.ToHexString(value)}");
    }
}
