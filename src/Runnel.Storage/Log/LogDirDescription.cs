namespace Runnel.Storage.Log;

/// <summary>One log directory as DescribeLogDirs reports it.</summary>
/// <param name="Path">The directory.</param>
/// <param name="IsOffline">Taken offline after a storage failure.</param>
/// <param name="Logs">The partitions it holds.</param>
public sealed record LogDirDescription(string Path, bool IsOffline, IReadOnlyList<PartitionLog> Logs);
