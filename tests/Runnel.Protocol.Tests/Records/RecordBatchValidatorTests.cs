using System.Buffers.Binary;
using System.Text;
using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests.Records;

public class RecordBatchValidatorTests
{
    private static readonly long Now = TestBatches.Now;

    public static TheoryData<CompressionType> AllCodecs =>
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    private static RecordBatchValidationResult Validate(byte[] records) => RecordBatchValidator.Validate(records, TestBatches.Options);

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Built_batch_validates_and_reads_back_for_every_codec(CompressionType codec)
    {
        var builder = new RecordBatchBuilder { Compression = codec };
        builder.Append(Now - 5, "k0"u8.ToArray(), "v0"u8.ToArray(), [new("h", [7])]);
        builder.Append(Now, null, "v1"u8.ToArray());
        builder.Append(Now - 2, [], null);
        var batch = builder.ToArray();

        var result = Validate(batch);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(3, result.Summary.RecordCount);
        Assert.Equal(codec, result.Summary.Compression);
        Assert.Equal(batch.Length, result.Summary.ValidBytes);

        var header = RecordBatchHeader.Read(batch);
        using var section = codec == CompressionType.None
            ? null
            : CompressionCodec.Decompress(codec, batch.AsSpan(RecordBatchHeader.Size), 1 << 20);
        var reader = new RecordReader(section is null ? batch.AsSpan(RecordBatchHeader.Size) : section.Span, header.RecordCount);
        Assert.True(reader.MoveNext());
        Assert.Equal("k0", Encoding.UTF8.GetString(reader.Current.Key));
        Assert.Equal(Now - 5, header.BaseTimestamp + reader.Current.TimestampDelta);
        Assert.Equal(1, reader.Current.HeaderCount);
        Assert.True(reader.MoveNext());
        Assert.False(reader.Current.HasKey);
        Assert.True(reader.MoveNext());
        Assert.True(reader.Current.HasKey);
        Assert.False(reader.Current.HasValue);
        Assert.False(reader.MoveNext());
        Assert.Equal(RecordReadStatus.Done, reader.Status);
    }

    [Fact]
    public void Summary_reports_timestamps_and_producer_fields()
    {
        var builder = new RecordBatchBuilder { ProducerId = 42, ProducerEpoch = 3, BaseSequence = 17, IsTransactional = true };
        builder.Append(Now - 10, [1], [1]).Append(Now + 5, [2], [2]).Append(Now + 5, [3], [3]).Append(Now, [4], [4]);

        var summary = Validate(builder.ToArray()).Summary;

        Assert.Equal(1, summary.BatchCount);
        Assert.Equal(4, summary.RecordCount);
        Assert.Equal(3, summary.LastOffsetDelta);
        Assert.Equal(Now - 10, summary.FirstTimestamp);
        Assert.Equal(Now + 5, summary.MaxTimestamp);
        Assert.Equal(1, summary.MaxTimestampOffsetDelta);
        Assert.Equal(42, summary.ProducerId);
        Assert.Equal(3, summary.ProducerEpoch);
        Assert.Equal(17, summary.BaseSequence);
        Assert.True(summary.IsTransactional);
        Assert.Equal(TimestampType.CreateTime, summary.TimestampType);
    }

    [Fact]
    public void Log_append_time_topic_reports_now_as_max_timestamp()
    {
        var batch = TestBatches.Simple(records: 3, timestamp: 5);

        var result = RecordBatchValidator.Validate(batch, TestBatches.Options with { TimestampType = TimestampType.LogAppendTime });

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(Now, result.Summary.MaxTimestamp);
        Assert.Equal(Now, result.Summary.FirstTimestamp);
        Assert.Equal(2, result.Summary.MaxTimestampOffsetDelta);
    }

    [Fact]
    public void Uncompressed_batch_validation_allocates_nothing()
    {
        var builder = new RecordBatchBuilder { ProducerId = 1, ProducerEpoch = 0, BaseSequence = 0 };
        for (var i = 0; i < 100; i++)
        {
            builder.Append(Now, [(byte)i], new byte[50], [new("h", [1])]);
        }

        var batch = builder.ToArray();
        var options = TestBatches.Options with { IsCompacted = true };
        Assert.True(RecordBatchValidator.Validate(batch, options).IsValid);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = RecordBatchValidator.Validate(batch, options);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(result.IsValid);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Empty_records_have_no_batch_and_are_invalid()
    {
        var result = Validate([]);

        Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        Assert.Contains("at least one record batch", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_batch_is_rejected_as_having_no_complete_batch()
    {
        var batch = TestBatches.Simple();

        foreach (var length in new[] { 5, 12, 16, 17, 60, batch.Length - 1 })
        {
            var result = Validate(batch[..length]);
            Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        }
    }

    [Fact]
    public void Batch_length_below_the_minimum_overhead_is_corrupt()
    {
        var batch = TestBatches.Simple();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), 13);

        Assert.Equal(KafkaErrors.CorruptMessage, Validate(batch).ErrorCode);
    }

    [Fact]
    public void Batch_shorter_than_its_header_is_corrupt()
    {
        var batch = TestBatches.Simple();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthOffset), 40);

        var result = Validate(batch[..52]);

        Assert.Equal(KafkaErrors.CorruptMessage, result.ErrorCode);
        Assert.Contains("minimum allowed overhead 61", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_over_max_message_bytes_is_too_large()
    {
        var batch = TestBatches.Simple(records: 10);

        var result = RecordBatchValidator.Validate(batch, TestBatches.Options with { MaxMessageBytes = batch.Length - 1 });

        Assert.Equal(KafkaErrors.MessageTooLarge, result.ErrorCode);
        Assert.True(RecordBatchValidator.Validate(batch, TestBatches.Options with { MaxMessageBytes = batch.Length }).IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Magic_0_and_1_batches_are_invalid_records(byte magic)
    {
        var batch = TestBatches.Simple();
        batch[RecordBatchHeader.MagicOffset] = magic;

        var result = Validate(batch);

        Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        Assert.Contains("magic version 2", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0xFF)]
    public void Unknown_magic_is_corrupt(byte magic)
    {
        var batch = TestBatches.Simple();
        batch[RecordBatchHeader.MagicOffset] = magic;

        Assert.Equal(KafkaErrors.CorruptMessage, Validate(batch).ErrorCode);
    }

    [Fact]
    public void Two_batches_in_one_partition_are_invalid()
    {
        var batch = TestBatches.Simple();

        var result = Validate([.. batch, .. batch]);

        Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        Assert.Contains("exactly one record batch", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Incomplete_tail_after_the_batch_is_ignored_and_excluded_from_valid_bytes()
    {
        var batch = TestBatches.Simple();

        var result = Validate([.. batch, .. batch.AsSpan(0, 30)]);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(batch.Length, result.Summary.ValidBytes);
    }

    [Fact]
    public void Tail_with_a_corrupt_size_after_the_batch_is_corrupt()
    {
        var batch = TestBatches.Simple();
        var tail = new byte[12]; // size field 0

        Assert.Equal(KafkaErrors.CorruptMessage, Validate([.. batch, .. tail]).ErrorCode);
    }

    [Fact]
    public void Client_batch_with_nonzero_base_offset_is_invalid()
    {
        var batch = new RecordBatchBuilder { BaseOffset = 7 }.Append(Now, [1], [1]).ToArray();

        Assert.Equal(KafkaErrors.InvalidRecord, Validate(batch).ErrorCode);
        Assert.True(RecordBatchValidator.Validate(batch, TestBatches.Options with { Origin = AppendOrigin.Coordinator }).IsValid);
    }

    [Fact]
    public void Batch_with_flipped_crc_byte_is_rejected_as_corrupt()
    {
        var batch = TestBatches.Simple();
        batch[RecordBatchHeader.CrcOffset + 2] ^= 0x10;

        var result = Validate(batch);

        Assert.Equal(KafkaErrors.CorruptMessage, result.ErrorCode);
        Assert.Contains("crc", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_with_flipped_record_byte_is_rejected_as_corrupt()
    {
        var batch = TestBatches.Simple();
        batch[^3] ^= 0x01;

        Assert.Equal(KafkaErrors.CorruptMessage, Validate(batch).ErrorCode);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Unknown_codec_id_is_unsupported_compression(int codec)
    {
        var batch = TestBatches.WithPayload(TestBatches.Simple(), (CompressionType)codec, [1, 2, 3]);

        Assert.Equal(KafkaErrors.UnsupportedCompressionType, Validate(batch).ErrorCode);
    }

    [Fact]
    public void Zstd_before_produce_v7_is_unsupported_compression()
    {
        var batch = TestBatches.Simple(compression: CompressionType.Zstd);

        Assert.Equal(KafkaErrors.UnsupportedCompressionType, RecordBatchValidator.Validate(batch, TestBatches.Options with { ProduceVersion = 6 }).ErrorCode);
        Assert.True(RecordBatchValidator.Validate(batch, TestBatches.Options with { ProduceVersion = 7 }).IsValid);
    }

    [Fact]
    public void Record_count_disagreeing_with_last_offset_delta_is_invalid()
    {
        var batch = TestBatches.Edited(TestBatches.Simple(records: 3), b =>
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), 5));

        var result = Validate(batch);

        Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        Assert.Contains("Inconsistent batch offset range", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_record_count_is_invalid()
    {
        var batch = new RecordBatchBuilder().ToArray();

        Assert.Equal(KafkaErrors.InvalidRecord, Validate(batch).ErrorCode);
    }

    [Fact]
    public void Declared_count_above_the_records_present_is_invalid()
    {
        var batch = TestBatches.Edited(TestBatches.Simple(records: 3), b =>
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchHeader.RecordCountOffset), 4);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), 3);
        });

        var result = Validate(batch);

        Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        Assert.Contains("premature EOF", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Declared_count_below_the_records_present_is_invalid()
    {
        var batch = TestBatches.Edited(TestBatches.Simple(records: 3), b =>
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchHeader.RecordCountOffset), 2);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchHeader.LastOffsetDeltaOffset), 1);
        });

        var result = Validate(batch);

        Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        Assert.Contains("records still remaining", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_sequential_offset_deltas_are_invalid()
    {
        var batch = new RecordBatchBuilder()
            .AppendWithOffsetDelta(0, Now, [1], [1])
            .AppendWithOffsetDelta(2, Now, [2], [2])
            .AppendWithOffsetDelta(1, Now, [3], [3])
            .ToArray();

        var result = Validate(batch);

        Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        Assert.Contains("offset delta", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_batch_from_a_client_is_invalid()
    {
        var batch = new RecordBatchBuilder { ProducerId = 5, ProducerEpoch = 0, BaseSequence = -1 }
            .AppendEndTransactionMarker(ControlRecordType.Commit, coordinatorEpoch: 1, Now)
            .ToArray();

        Assert.Equal(KafkaErrors.InvalidRecord, Validate(batch).ErrorCode);
    }

    [Fact]
    public void Control_batch_from_the_coordinator_is_valid()
    {
        var batch = new RecordBatchBuilder { ProducerId = 5, ProducerEpoch = 0 }
            .AppendEndTransactionMarker(ControlRecordType.Abort, coordinatorEpoch: 1, Now)
            .ToArray();

        var result = RecordBatchValidator.Validate(batch, TestBatches.Options with { Origin = AppendOrigin.Coordinator });

        Assert.True(result.IsValid, result.ToString());
        Assert.True(result.Summary.IsControl);
        Assert.True(result.Summary.IsTransactional);
    }

    [Fact]
    public void Idempotent_batch_without_a_sequence_is_invalid()
    {
        var batch = new RecordBatchBuilder { ProducerId = 9, ProducerEpoch = 0, BaseSequence = -1 }.Append(Now, [1], [1]).ToArray();

        var result = Validate(batch);

        Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        Assert.Contains("Invalid sequence number", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Compacted_topic_rejects_records_without_key_with_record_errors()
    {
        var batch = new RecordBatchBuilder()
            .Append(Now, [1], [1])
            .Append(Now, null, [2])
            .Append(Now, [], [3])
            .Append(Now, null, null)
            .ToArray();

        var result = RecordBatchValidator.Validate(batch, TestBatches.Options with { IsCompacted = true });

        Assert.Equal(KafkaErrors.InvalidRecord, result.ErrorCode);
        Assert.Equal([1, 3], result.RecordErrors.Select(e => e.BatchIndex));
        Assert.All(result.RecordErrors, e => Assert.Contains("without key", e.Message, StringComparison.Ordinal));
        Assert.Contains("2 record errors", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(default, result.Summary);
    }

    [Fact]
    public void Record_errors_message_shows_at_most_three()
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < 5; i++)
        {
            builder.Append(Now, null, [1]);
        }

        var result = RecordBatchValidator.Validate(builder.ToArray(), TestBatches.Options with { IsCompacted = true });

        Assert.Equal(5, result.RecordErrors.Count);
        Assert.Contains("5 record errors", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("batchIndex=2", result.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("batchIndex=3", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_too_far_in_the_future_is_invalid_timestamp()
    {
        var batch = new RecordBatchBuilder()
            .Append(Now, [1], [1])
            .Append(Now + RecordBatchValidationOptions.DefaultTimestampAfterMaxMs + 1, [2], [2])
            .ToArray();

        var result = Validate(batch);

        Assert.Equal(KafkaErrors.InvalidTimestamp, result.ErrorCode);
        var error = Assert.Single(result.RecordErrors);
        Assert.Equal(1, error.BatchIndex);
        Assert.Contains("out of range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_at_the_window_edges_is_accepted()
    {
        var options = TestBatches.Options with { TimestampBeforeMaxMs = 1000, TimestampAfterMaxMs = 500 };
        var batch = new RecordBatchBuilder().Append(Now - 1000, [1], [1]).Append(Now + 500, [2], [2]).ToArray();

        Assert.True(RecordBatchValidator.Validate(batch, options).IsValid);
    }

    [Fact]
    public void Timestamp_too_old_is_invalid_timestamp()
    {
        var options = TestBatches.Options with { TimestampBeforeMaxMs = 1000 };
        var batch = new RecordBatchBuilder().Append(Now - 1001, [1], [1]).ToArray();

        Assert.Equal(KafkaErrors.InvalidTimestamp, RecordBatchValidator.Validate(batch, options).ErrorCode);
    }

    [Fact]
    public void Missing_timestamp_is_not_range_checked()
    {
        var options = TestBatches.Options with { TimestampBeforeMaxMs = 1000 };
        var batch = new RecordBatchBuilder().Append(-1, [1], [1]).ToArray();

        var result = RecordBatchValidator.Validate(batch, options);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(-1, result.Summary.MaxTimestamp);
        Assert.Equal(-1, result.Summary.MaxTimestampOffsetDelta);
    }

    [Fact]
    public void Timestamp_errors_win_over_key_errors_for_the_partition_code()
    {
        var options = TestBatches.Options with { IsCompacted = true, TimestampBeforeMaxMs = 1000 };
        var batch = new RecordBatchBuilder().Append(Now, null, [1]).Append(Now - 5000, [1], [1]).ToArray();

        var result = RecordBatchValidator.Validate(batch, options);

        Assert.Equal(KafkaErrors.InvalidTimestamp, result.ErrorCode);
        Assert.Equal(2, result.RecordErrors.Count);
    }

    [Fact]
    public void Client_batch_claiming_log_append_time_is_invalid_timestamp_on_a_log_append_time_topic()
    {
        var batch = new RecordBatchBuilder { TimestampType = TimestampType.LogAppendTime, LogAppendTimeMs = Now }.Append(Now, [1], [1]).ToArray();

        var result = RecordBatchValidator.Validate(batch, TestBatches.Options with { TimestampType = TimestampType.LogAppendTime });

        Assert.Equal(KafkaErrors.InvalidTimestamp, result.ErrorCode);
        Assert.Contains("LogAppendTime", Assert.Single(result.RecordErrors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Client_batch_claiming_log_append_time_on_a_create_time_topic_is_checked_by_its_max_timestamp()
    {
        // Kafka reads every record's timestamp as the header's maxTimestamp for such a batch and
        // range-checks that; only a missing one falls through to the "LogAppendTime" error.
        var inRange = new RecordBatchBuilder { TimestampType = TimestampType.LogAppendTime, LogAppendTimeMs = Now }.Append(0, [1], [1]).ToArray();
        var missing = new RecordBatchBuilder { TimestampType = TimestampType.LogAppendTime, LogAppendTimeMs = -1 }.Append(Now, [1], [1]).ToArray();

        Assert.True(Validate(inRange).IsValid);
        Assert.Equal(KafkaErrors.InvalidTimestamp, Validate(missing).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Decompression_bomb_is_too_large(CompressionType codec)
    {
        var builder = new RecordBatchBuilder { Compression = codec };
        for (var i = 0; i < 64; i++)
        {
            builder.Append(Now, [(byte)i], new byte[64 * 1024]);
        }

        var batch = builder.ToArray();
        Assert.True(batch.Length < RecordBatchValidationOptions.DefaultMaxMessageBytes);

        var result = RecordBatchValidator.Validate(batch, TestBatches.Options with { MaxDecompressedBytes = 1024 * 1024 });

        Assert.Equal(KafkaErrors.MessageTooLarge, result.ErrorCode);
    }

    public static TheoryData<CompressionType> CompressedCodecs =>
        [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Undecodable_compressed_section_with_valid_crc_is_corrupt(CompressionType codec)
    {
        var garbage = new byte[200];
        new Random(11).NextBytes(garbage);
        garbage[0] = 0x05;
        var batch = TestBatches.WithPayload(TestBatches.Simple(), codec, garbage);

        Assert.Equal(KafkaErrors.CorruptMessage, Validate(batch).ErrorCode);
    }

    [Fact]
    public void Xerial_snappy_batch_from_the_java_client_validates()
    {
        var plain = TestBatches.Simple(records: 50);
        var xerial = TestBatches.Xerial(TestBatches.Section(plain), chunkSize: 256);
        var batch = TestBatches.WithPayload(plain, CompressionType.Snappy, xerial);

        var result = Validate(batch);

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(50, result.Summary.RecordCount);
        Assert.Equal(CompressionType.Snappy, result.Summary.Compression);
    }

    [Fact]
    public void Compressed_records_with_bad_structure_are_invalid_records()
    {
        var plain = TestBatches.Simple(records: 3);
        var section = TestBatches.Section(plain);
        var payload = TestBatches.Compress(CompressionType.Zstd, section.AsSpan(0, section.Length - 2));
        var batch = TestBatches.WithPayload(plain, CompressionType.Zstd, payload);

        Assert.Equal(KafkaErrors.InvalidRecord, Validate(batch).ErrorCode);
    }

    [Fact]
    public void Default_options_reject_everything_as_too_large()
    {
        var result = RecordBatchValidator.Validate(TestBatches.Simple(), default);

        Assert.Equal(KafkaErrors.MessageTooLarge, result.ErrorCode);
    }
}
