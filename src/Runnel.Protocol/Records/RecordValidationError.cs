namespace Runnel.Protocol.Records;

/// <summary>
/// One rejected record, as the Produce response's <c>RecordErrors</c> entry: <see cref="BatchIndex"/>
/// is the record's index within its batch (Kafka's name for the field) and <see cref="Message"/> the
/// per-record explanation (<c>BatchIndexErrorMessage</c>).
/// </summary>
public readonly record struct RecordValidationError(int BatchIndex, string? Message)
{
    /// <summary>Formats like Kafka's <c>RecordError.toString</c>, for the partition error message.</summary>
    public override string ToString() => $"RecordError(batchIndex={BatchIndex}, message='{Message}')";
}
