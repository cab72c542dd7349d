using System.Buffers.Binary;

namespace Runnel.Protocol.Records;

/// <summary>
/// Validates the <c>records</c> bytes of one partition of a Produce request (or of a coordinator's
/// append) the way a Kafka 4.0 leader does before appending, in Kafka's order, so that clients see
/// the same error codes:
/// <list type="number">
/// <item>Framing, as <c>ProduceRequest.validateRecords</c> walks it with <c>ByteBufferLogInputStream</c>:
/// a size below 14 or a magic outside 0–2 is CORRUPT_MESSAGE; no complete batch, a first batch with
/// magic 0/1 (KIP-724), or a second complete batch is INVALID_RECORD; zstd before Produce v7 is
/// UNSUPPORTED_COMPRESSION_TYPE. An incomplete tail after the one batch is ignored and excluded
/// from <see cref="RecordBatchSummary.ValidBytes"/>, as Kafka trims it.</item>
/// <item>The batch, as <c>UnifiedLog.analyzeAndValidateRecords</c>: client base offset must be 0
/// (INVALID_RECORD), size within <c>max.message.bytes</c> (MESSAGE_TOO_LARGE), at least the 61-byte
/// header and a matching CRC-32C (CORRUPT_MESSAGE).</item>
/// <item>The header, as <c>LogValidator.validateBatch</c> for client appends: a positive record count
/// equal to lastOffsetDelta + 1, no control batch, and a sequence when a producer id is set
/// (INVALID_RECORD).</item>
/// <item>Every record, as <c>LogValidator.validateRecord</c> over a strict <see cref="RecordReader"/>
/// (decompressing first, bounded): structure errors are INVALID_RECORD for the partition; a missing
/// key on a compacted topic (INVALID_RECORD) and a timestamp outside the window or a client-set
/// LogAppendTime (INVALID_TIMESTAMP) are collected per record and reported together, as Kafka's
/// <c>processRecordErrors</c> does.</item>
/// </list>
/// Stateless and thread-safe. Allocation-free on the success path of an uncompressed batch; a
/// compressed batch rents its decompression buffer from the shared pool and returns it before
/// returning. Error results allocate their message.
/// </summary>
public static class RecordBatchValidator
{
    /// <summary>Kafka's <c>LegacyRecord.RECORD_OVERHEAD_V0</c>: the smallest size field any magic allows.</summary>
    public const int MinimumSizeField = 14;

    /// <summary>Bytes needed to see a batch's magic byte (baseOffset, batchLength, leader epoch, magic).</summary>
    private const int HeaderSizeUpToMagic = RecordBatchHeader.MagicOffset + 1;

    private const int FirstProduceVersionWithZstd = 7;

    private const string MissingKeyMessage = "Compacted topic cannot accept message without key";

    private enum Frame
    {
        Incomplete,
        Complete,
        SizeTooSmall,
        InvalidMagic,
    }

    /// <summary>Validates one partition's <c>records</c>; see the type summary for the checks and codes.</summary>
    public static RecordBatchValidationResult Validate(ReadOnlySpan<byte> records, in RecordBatchValidationOptions options)
    {
        // 1. Framing, as ProduceRequest.validateRecords sees it.
        switch (ProbeBatch(records, 0, out var batchSize, out var detail))
        {
            case Frame.SizeTooSmall:
                return RecordBatchValidationResult.Failure(RecordErrorCode.CorruptMessage, SizeTooSmallMessage(detail));
            case Frame.InvalidMagic:
                return RecordBatchValidationResult.Failure(RecordErrorCode.CorruptMessage, $"Invalid magic found in record: {detail}");
            case Frame.Incomplete:
                return RecordBatchValidationResult.Failure(
                    RecordErrorCode.InvalidRecord, "Produce requests must have at least one record batch per partition");
        }

        var batch = records[..batchSize];
        var magic = batch[RecordBatchHeader.MagicOffset];
        if (magic != RecordBatchHeader.CurrentMagic)
        {
            // Kafka 4.0 removed message formats v0 and v1 (KIP-724); ProduceRequest rejects them
            // with InvalidRecordException before the log sees them.
            return RecordBatchValidationResult.Failure(
                RecordErrorCode.InvalidRecord,
                $"Produce requests are only allowed to contain record batches with magic version 2 (found magic {magic})");
        }

        // A complete batch has at least 14 + 12 bytes, so the attributes (offset 21) are present
        // even when the batch is shorter than its 61-byte header.
        var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..]);
        var codecId = attributes & RecordBatchHeader.CompressionMask;
        if (codecId == (int)CompressionType.Zstd && options.ProduceVersion < FirstProduceVersionWithZstd)
        {
            return RecordBatchValidationResult.Failure(
                RecordErrorCode.UnsupportedCompressionType,
                $"Produce requests with version {options.ProduceVersion} are not allowed to use ZStandard compression");
        }

        switch (ProbeBatch(records, batchSize, out _, out detail))
        {
            case Frame.SizeTooSmall:
                return RecordBatchValidationResult.Failure(RecordErrorCode.CorruptMessage, SizeTooSmallMessage(detail));
            case Frame.InvalidMagic:
                return RecordBatchValidationResult.Failure(RecordErrorCode.CorruptMessage, $"Invalid magic found in record: {detail}");
            case Frame.Complete:
                return RecordBatchValidationResult.Failure(
                    RecordErrorCode.InvalidRecord, "Produce requests are only allowed to contain exactly one record batch per partition");
        }

        // 2. The batch as a whole, as UnifiedLog.analyzeAndValidateRecords.
        var baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
        if (options.Origin == AppendOrigin.Client && baseOffset != 0)
        {
            return RecordBatchValidationResult.Failure(
                RecordErrorCode.InvalidRecord, $"The baseOffset of the record batch in the append should be 0, but it is {baseOffset}");
        }

        if (batchSize > options.MaxMessageBytes)
        {
            return RecordBatchValidationResult.Failure(
                RecordErrorCode.MessageTooLarge,
                $"The record batch size in the append is {batchSize} bytes which exceeds the maximum configured value of {options.MaxMessageBytes}.");
        }

        if (batchSize < RecordBatchHeader.Size)
        {
            return RecordBatchValidationResult.Failure(
                RecordErrorCode.CorruptMessage,
                $"Record batch is corrupt (the size {batchSize} is smaller than the minimum allowed overhead {RecordBatchHeader.Size})");
        }

        var header = RecordBatchHeader.Read(batch);
        var computedCrc = RecordBatchHeader.ComputeCrc(batch);
        if (computedCrc != header.Crc)
        {
            return RecordBatchValidationResult.Failure(
                RecordErrorCode.CorruptMessage, $"Record is corrupt (stored crc = {header.Crc}, computed crc = {computedCrc})");
        }

        if (codecId > (int)CompressionType.Zstd)
        {
            // Kafka's CompressionType.forId throws IllegalArgumentException here, which surfaces as
            // UNKNOWN_SERVER_ERROR; the dedicated code tells the client what is actually wrong.
            return RecordBatchValidationResult.Failure(
                RecordErrorCode.UnsupportedCompressionType, $"Unknown compression type id: {codecId}");
        }

        // 3. The header, as LogValidator.validateBatch does for client appends.
        if (options.Origin == AppendOrigin.Client)
        {
            var headerError = ValidateClientHeader(header);
            if (headerError is not null)
            {
                return RecordBatchValidationResult.Failure(RecordErrorCode.InvalidRecord, headerError);
            }
        }

        // 4. The records.
        var section = batch[RecordBatchHeader.Size..];
        if (header.Compression == CompressionType.None)
        {
            return ValidateRecords(section, header, batchSize, options);
        }

        var status = CompressionCodec.TryDecompress(header.Compression, section, options.MaxDecompressedBytes, out var decompressed);
        switch (status)
        {
            case DecompressionStatus.TooLarge:
                return RecordBatchValidationResult.Failure(
                    RecordErrorCode.MessageTooLarge,
                    $"The record batch decompresses to more than {options.MaxDecompressedBytes} bytes, the broker's limit");
            case DecompressionStatus.Done:
                break;
            default:
                // Kafka surfaces decompression failures as UNKNOWN_SERVER_ERROR (a KafkaException);
                // the CRC matched, so the client sent undecodable data: CORRUPT_MESSAGE says so.
                return RecordBatchValidationResult.Failure(
                    RecordErrorCode.CorruptMessage, $"Failed to decompress the {header.Compression} record stream");
        }

        using (decompressed)
        {
            return ValidateRecords(decompressed!.Span, header, batchSize, options);
        }
    }

    private static string SizeTooSmallMessage(int size) =>
        $"Record size {size} is less than the minimum record overhead ({MinimumSizeField})";

    private static string? ValidateClientHeader(in RecordBatchHeader header)
    {
        var countFromOffsets = (long)header.LastOffsetDelta + 1;
        if (countFromOffsets <= 0)
        {
            return $"Batch has an invalid offset range: [0, {header.LastOffsetDelta}]";
        }

        if (header.RecordCount <= 0)
        {
            return $"Invalid reported count for record batch: {header.RecordCount}";
        }

        if (countFromOffsets != header.RecordCount)
        {
            return $"Inconsistent batch offset range [0, {header.LastOffsetDelta}] and count of records {header.RecordCount}";
        }

        if (header.IsControl)
        {
            return "Clients are not allowed to write control records";
        }

        if (header.ProducerId >= 0 && header.BaseSequence < 0)
        {
            return $"Invalid sequence number {header.BaseSequence} in record batch with producerId {header.ProducerId}";
        }

        return null;
    }

    private static RecordBatchValidationResult ValidateRecords(
        ReadOnlySpan<byte> section, in RecordBatchHeader header, int batchSize, in RecordBatchValidationOptions options)
    {
        // Under LogAppendTime every record's timestamp reads as the header's maxTimestamp
        // (DefaultRecordBatch.RecordIterator), which is what the checks below see, as in Kafka.
        var batchIsLogAppendTime = header.IsLogAppendTime;
        var checkCreateTime = options.TimestampType == TimestampType.CreateTime;
        var now = options.NowMs;

        long firstTimestamp = -1;
        long maxTimestamp = -1;
        var maxTimestampOffsetDelta = -1;
        List<RecordValidationError>? errors = null;
        var anyTimestampError = false;

        var reader = new RecordReader(section, header.RecordCount);
        var index = 0;
        while (reader.MoveNext())
        {
            var record = reader.Current;

            // Kafka accepts out-of-sequence deltas (and rewrites compressed batches to fix them);
            // Runnel stores the producer's bytes as they are, so a gap here would corrupt offsets.
            if (record.OffsetDelta != index)
            {
                return RecordBatchValidationResult.Failure(
                    RecordErrorCode.InvalidRecord,
                    $"Record at index {index} has offset delta {record.OffsetDelta}; offset deltas must run 0, 1, 2, ...");
            }

            var timestamp = batchIsLogAppendTime ? header.MaxTimestamp : header.BaseTimestamp + record.TimestampDelta;
            if (index == 0)
            {
                firstTimestamp = timestamp;
            }

            if (options.IsCompacted && !record.HasKey)
            {
                (errors ??= []).Add(new RecordValidationError(index, MissingKeyMessage));
            }
            else if (checkCreateTime && timestamp != -1)
            {
                // Same arithmetic as LogValidator.recordHasInvalidTimestamp, wrap-around included.
                var difference = now - timestamp;
                if (difference > options.TimestampBeforeMaxMs || -difference > options.TimestampAfterMaxMs)
                {
                    anyTimestampError = true;
                    (errors ??= []).Add(new RecordValidationError(
                        index,
                        $"Timestamp {timestamp} of message with offset {record.OffsetDelta} is out of range. The timestamp should be within [{now - options.TimestampBeforeMaxMs}, {now + options.TimestampAfterMaxMs}]"));
                }
            }
            else if (batchIsLogAppendTime)
            {
                anyTimestampError = true;
                (errors ??= []).Add(new RecordValidationError(
                    index, "Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime."));
            }

            if (timestamp > maxTimestamp)
            {
                maxTimestamp = timestamp;
                maxTimestampOffsetDelta = record.OffsetDelta;
            }

            index++;
        }

        if (reader.Status != RecordReadStatus.Done)
        {
            return RecordBatchValidationResult.Failure(RecordErrorCode.InvalidRecord, reader.GetErrorMessage()!);
        }

        if (errors is not null)
        {
            return anyTimestampError
                ? RecordBatchValidationResult.Failure(
                    RecordErrorCode.InvalidTimestamp, "One or more records have been rejected due to invalid timestamp", errors)
                : RecordBatchValidationResult.Failure(RecordErrorCode.InvalidRecord, RecordErrorsMessage(errors), errors);
        }

        if (!checkCreateTime)
        {
            firstTimestamp = now;
            maxTimestamp = now;
            maxTimestampOffsetDelta = header.LastOffsetDelta;
        }

        return RecordBatchValidationResult.Success(new RecordBatchSummary
        {
            BatchCount = 1,
            RecordCount = header.RecordCount,
            ValidBytes = batchSize,
            LastOffsetDelta = header.LastOffsetDelta,
            FirstTimestamp = firstTimestamp,
            MaxTimestamp = maxTimestamp,
            MaxTimestampOffsetDelta = maxTimestampOffsetDelta,
            TimestampType = options.TimestampType,
            Compression = header.Compression,
            ProducerId = header.ProducerId,
            ProducerEpoch = header.ProducerEpoch,
            BaseSequence = header.BaseSequence,
            IsTransactional = header.IsTransactional,
            IsControl = header.IsControl,
        });
    }

    private static string RecordErrorsMessage(List<RecordValidationError> errors)
    {
        var shown = errors.Count < 3 ? errors.Count : 3;
        var parts = new string[shown];
        for (var i = 0; i < shown; i++)
        {
            parts[i] = errors[i].ToString();
        }

        return $"One or more records have been rejected due to {errors.Count} record errors in total, and only showing the first three errors at most: [{string.Join(", ", parts)}]";
    }

    /// <summary>
    /// Looks at the batch starting at <paramref name="position"/> the way Kafka's
    /// <c>ByteBufferLogInputStream.nextBatchSize</c> does: a batch is complete only when all its
    /// bytes are present; a size below 14 or a magic outside 0–2 is corruption.
    /// </summary>
    private static Frame ProbeBatch(ReadOnlySpan<byte> records, int position, out int totalSize, out int detail)
    {
        totalSize = 0;
        detail = 0;
        var remaining = records.Length - position;
        if (remaining < RecordBatchHeader.LogOverhead)
        {
            return Frame.Incomplete;
        }

        var sizeField = BinaryPrimitives.ReadInt32BigEndian(records[(position + RecordBatchHeader.BatchLengthOffset)..]);
        if (sizeField < MinimumSizeField)
        {
            detail = sizeField;
            return Frame.SizeTooSmall;
        }

        if (remaining < HeaderSizeUpToMagic)
        {
            return Frame.Incomplete;
        }

        var magic = (sbyte)records[position + RecordBatchHeader.MagicOffset];
        if (magic is < 0 or > (sbyte)RecordBatchHeader.CurrentMagic)
        {
            detail = magic;
            return Frame.InvalidMagic;
        }

        var total = (long)sizeField + RecordBatchHeader.LogOverhead;
        if (remaining < total)
        {
            return Frame.Incomplete;
        }

        totalSize = (int)total;
        return Frame.Complete;
    }
}
