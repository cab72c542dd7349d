namespace Runnel.Protocol.Records;

/// <summary>A header to write with <see cref="RecordBatchBuilder"/>: a key and a value that may be null.</summary>
public readonly record struct RecordHeaderEntry(string Key, byte[]? Value);
