namespace Runnel.Storage.Log;

/// <summary>Result of <see cref="PartitionLog.DeleteRecordsBefore"/>: the error, and the log start offset (DeleteRecords' low watermark).</summary>
public readonly record struct LogDeleteRecordsResult(LogError Error, long LowWatermark);
