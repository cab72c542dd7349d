using System.Text;
using CsCheck;
using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests.Records;

public class RecordBatchPropertyTests
{
    private static readonly long Now = TestBatches.Now;

    private sealed record TestRecord(long Timestamp, byte[]? Key, byte[]? Value, RecordHeaderEntry[] Headers);

    private static readonly Gen<byte[]?> NullableBytes =
        Gen.Frequency((1, Gen.Const((byte[]?)null)), (4, Gen.Byte.Array[0, 40].Select(b => (byte[]?)b)));

    private static readonly Gen<RecordHeaderEntry> HeaderGen =
        Gen.Select(Gen.String[0, 8], NullableBytes, (key, value) => new RecordHeaderEntry(key, value));

    private static readonly Gen<TestRecord> RecordGen =
        Gen.Select(Gen.Long[-100_000, 100_000], NullableBytes, NullableBytes, HeaderGen.Array[0, 3],
            (delta, key, value, headers) => new TestRecord(Now + delta, key, value, headers));

    private static readonly Gen<CompressionType> CodecGen = Gen.Int[0, 4].Select(i => (CompressionType)i);

    private static readonly Gen<(CompressionType Codec, TestRecord[] Records)> BatchGen =
        Gen.Select(CodecGen, RecordGen.Array[1, 15]);

    private static byte[] Build(CompressionType codec, TestRecord[] records)
    {
        var builder = new RecordBatchBuilder { Compression = codec, ProducerId = 3, ProducerEpoch = 1, BaseSequence = 0 };
        foreach (var record in records)
        {
            builder.Append(record.Timestamp, record.Key, record.Value, record.Headers);
        }

        return builder.ToArray();
    }

    [Fact]
    public void Random_records_round_trip_through_builder_validator_and_reader()
    {
        BatchGen.Sample((codec, records) =>
        {
            var batch = Build(codec, records);
            var result = RecordBatchValidator.Validate(batch, TestBatches.Options);
            Assert.True(result.IsValid, result.ToString());
            Assert.Equal(records.Length, result.Summary.RecordCount);
            Assert.Equal(records.Max(r => r.Timestamp), result.Summary.MaxTimestamp);

            var header = RecordBatchHeader.Read(batch);
            using var decompressed = codec == CompressionType.None
                ? null
                : CompressionCodec.Decompress(codec, batch.AsSpan(RecordBatchHeader.Size), 1 << 22);
            var reader = new RecordReader(decompressed is null ? batch.AsSpan(RecordBatchHeader.Size) : decompressed.Span, header.RecordCount);
            var index = 0;
            while (reader.MoveNext())
            {
                var expected = records[index];
                var actual = reader.Current;
                Assert.Equal(index, actual.OffsetDelta);
                Assert.Equal(expected.Timestamp, header.BaseTimestamp + actual.TimestampDelta);
                AssertNullable(expected.Key, actual.HasKey, actual.Key);
                AssertNullable(expected.Value, actual.HasValue, actual.Value);
                Assert.Equal(expected.Headers.Length, actual.HeaderCount);
                var h = 0;
                foreach (var readHeader in actual.Headers)
                {
                    Assert.Equal(Encoding.UTF8.GetBytes(expected.Headers[h].Key), readHeader.Key.ToArray());
                    AssertNullable(expected.Headers[h].Value, readHeader.HasValue, readHeader.Value);
                    h++;
                }

                index++;
            }

            Assert.Equal(RecordReadStatus.Done, reader.Status);
            Assert.Equal(records.Length, index);
        }, iter: 200);
    }

    [Fact]
    public void Any_single_flipped_byte_is_detected_and_never_throws()
    {
        Gen.Select(BatchGen, Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Sample((batchSpec, position, mask) =>
        {
            var batch = Build(batchSpec.Codec, batchSpec.Records);
            var index = position % batch.Length;
            batch[index] ^= mask;

            var result = RecordBatchValidator.Validate(batch, TestBatches.Options);

            // partitionLeaderEpoch is neither CRC-covered nor trusted from clients (the leader
            // overwrites it), so a flip there is the one change that is rightly accepted.
            var inLeaderEpoch = index >= RecordBatchHeader.PartitionLeaderEpochOffset && index < RecordBatchHeader.MagicOffset;
            Assert.Equal(inLeaderEpoch, result.IsValid);
            if (!result.IsValid)
            {
                Assert.Contains(result.ErrorCode, new short[] { KafkaErrors.CorruptMessage, KafkaErrors.InvalidRecord });
                Assert.False(string.IsNullOrEmpty(result.ErrorMessage));
            }
        }, iter: 1000);
    }

    [Fact]
    public void Mutated_records_with_a_fixed_up_crc_never_throw()
    {
        // Past the CRC, so the decoders and the record parser see arbitrary bytes.
        Gen.Select(BatchGen, Gen.Int[0, int.MaxValue].Array[1, 4], Gen.Byte).Sample((batchSpec, positions, value) =>
        {
            var batch = Build(batchSpec.Codec, batchSpec.Records);
            if (batch.Length == RecordBatchHeader.Size)
            {
                return;
            }

            foreach (var position in positions)
            {
                batch[RecordBatchHeader.Size + (position % (batch.Length - RecordBatchHeader.Size))] = value;
            }

            RecordBatchHeader.UpdateCrc(batch);
            var result = RecordBatchValidator.Validate(batch, TestBatches.Options);

            Assert.True(
                result.IsValid || result.ErrorCode is KafkaErrors.CorruptMessage or KafkaErrors.InvalidRecord or KafkaErrors.InvalidTimestamp or KafkaErrors.MessageTooLarge,
                result.ToString());
        }, iter: 1000);
    }

    [Fact]
    public void Arbitrary_bytes_never_throw()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var result = RecordBatchValidator.Validate(bytes, TestBatches.Options);
            Assert.False(result.IsValid && result.Summary.ValidBytes > bytes.Length);
        }, iter: 2000);
    }

    private static void AssertNullable(byte[]? expected, bool present, ReadOnlySpan<byte> actual)
    {
        Assert.Equal(expected is not null, present);
        Assert.Equal(expected ?? [], actual.ToArray());
    }
}
