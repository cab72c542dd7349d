namespace Runnel.Protocol.Records;

/// <summary>
/// What the log needs from a validated append, so it never re-parses the batch. Offsets are relative
/// to the first batch's base offset (the log adds the offset it assigns). Meaningful only when the
/// validation succeeded; a failed validation returns <c>default</c>.
/// </summary>
public readonly record struct RecordBatchSummary
{
    /// <summary>Number of complete batches accepted (always 1 for Produce, as Kafka requires).</summary>
    public int BatchCount { get; init; }

    /// <summary>Total records over all accepted batches.</summary>
    public int RecordCount { get; init; }

    /// <summary>
    /// Bytes of the input that form the accepted batches. Kafka ignores an incomplete batch after the
    /// last complete one and appends only this prefix; the log must store <c>records[..ValidBytes]</c>.
    /// </summary>
    public int ValidBytes { get; init; }

    /// <summary>Offset delta of the last record, as the header's lastOffsetDelta.</summary>
    public int LastOffsetDelta { get; init; }

    /// <summary>The first record's timestamp (the append time under LogAppendTime).</summary>
    public long FirstTimestamp { get; init; }

    /// <summary>
    /// The largest record timestamp (-1 when none is set), or the append time under LogAppendTime.
    /// The log writes it into the header with <see cref="RecordBatchHeader.SetMaxTimestamp"/>, as
    /// Kafka's LogValidator does, because a client's header value is not trusted.
    /// </summary>
    public long MaxTimestamp { get; init; }

    /// <summary>
    /// Offset delta of the first record carrying <see cref="MaxTimestamp"/>; the last offset delta under
    /// LogAppendTime; -1 when no record has a timestamp. (Kafka's time index uses the batch's last
    /// offset instead; both are derivable.)
    /// </summary>
    public int MaxTimestampOffsetDelta { get; init; }

    /// <summary>The topic's timestamp type, which the log stamps into the header.</summary>
    public TimestampType TimestampType { get; init; }

    /// <summary>Codec of the first batch.</summary>
    public CompressionType Compression { get; init; }

    /// <summary>First batch's producerId (-1 when not idempotent).</summary>
    public long ProducerId { get; init; }

    /// <summary>First batch's producerEpoch (-1 when not idempotent).</summary>
    public short ProducerEpoch { get; init; }

    /// <summary>First batch's baseSequence (-1 when not idempotent).</summary>
    public int BaseSequence { get; init; }

    /// <summary>First batch's transactional flag.</summary>
    public bool IsTransactional { get; init; }

    /// <summary>First batch's control flag (only possible for coordinator appends).</summary>
    public bool IsControl { get; init; }
}
