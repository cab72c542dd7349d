namespace Runnel.Storage.Tests.Cleaner;

/// <summary>One record as read back from a log.</summary>
internal readonly record struct StoredRecord(long Offset, string? Key, string? Value, long BatchBaseOffset, long BatchLastOffset);
