namespace Runnel.Cli.DumpLog;

/// <summary>What <c>runnel dump-log</c> was asked to do, after parsing.</summary>
/// <param name="Files">The files to dump, in order (directories already expanded).</param>
/// <param name="PrintDataLog">Print each record's key and value (implies <paramref name="DeepIteration"/>).</param>
/// <param name="DeepIteration">Print each record, not only each batch.</param>
/// <param name="VerifyIndexOnly">For index files: check the entries against the log without printing them.</param>
/// <param name="IndexSanityCheck">For index files: only run the checks the broker runs when it loads an index.</param>
/// <param name="MaxBytes">Read at most this many bytes of each <c>.log</c> (whole batches only).</param>
/// <param name="MaxMessageSize">The largest batch held in memory to print its records; larger ones are CRC-checked in chunks.</param>
/// <param name="SkipRecordMetadata">Leave out offset, timestamp, sizes and headers on record lines.</param>
internal sealed record DumpLogSettings(
    IReadOnlyList<string> Files,
    bool PrintDataLog,
    bool DeepIteration,
    bool VerifyIndexOnly,
    bool IndexSanityCheck,
    long MaxBytes,
    int MaxMessageSize,
    bool SkipRecordMetadata)
{
    /// <summary>Kafka: <c>--print-data-log</c> turns deep iteration on.</summary>
    public bool IsDeepIteration => DeepIteration || PrintDataLog;
}
