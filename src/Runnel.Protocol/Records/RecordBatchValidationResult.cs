namespace Runnel.Protocol.Records;

/// <summary>
/// The outcome of validating one partition's <c>records</c>: a Kafka error code for the partition
/// response (0 on success), Kafka's error message, the per-record errors for <c>RecordErrors</c>,
/// and on success the <see cref="Summary"/> the log appends with. A struct holding only references
/// that are null or shared on success, so the success path allocates nothing.
/// </summary>
public readonly struct RecordBatchValidationResult
{
    private readonly IReadOnlyList<RecordValidationError>? _recordErrors;

    private RecordBatchValidationResult(short errorCode, string? errorMessage, IReadOnlyList<RecordValidationError>? recordErrors, RecordBatchSummary summary)
    {
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        _recordErrors = recordErrors;
        Summary = summary;
    }

    /// <summary>Kafka error code for the partition: 0, or one of 2, 10, 32, 76, 87.</summary>
    public short ErrorCode { get; }

    /// <summary>The partition-level error message (null on success).</summary>
    public string? ErrorMessage { get; }

    /// <summary>Per-record errors (empty unless <see cref="ErrorCode"/> is 32 or 87 from a record check).</summary>
    public IReadOnlyList<RecordValidationError> RecordErrors => _recordErrors ?? [];

    /// <summary>What the log needs; <c>default</c> when the validation failed.</summary>
    public RecordBatchSummary Summary { get; }

    public bool IsValid => ErrorCode == RecordErrorCode.None;

    internal static RecordBatchValidationResult Success(in RecordBatchSummary summary) => new(RecordErrorCode.None, null, null, summary);

    internal static RecordBatchValidationResult Failure(short errorCode, string message) => new(errorCode, message, null, default);

    internal static RecordBatchValidationResult Failure(short errorCode, string message, IReadOnlyList<RecordValidationError> recordErrors) =>
        new(errorCode, message, recordErrors, default);

    public override string ToString() => IsValid ? $"Valid {Summary}" : $"Error {ErrorCode}: {ErrorMessage}";
}
