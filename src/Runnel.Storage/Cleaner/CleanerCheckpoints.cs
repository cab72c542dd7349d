using System.Collections.Concurrent;
using Runnel.Storage.Checkpoints;
using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.Storage.Cleaner;

/// <summary>
/// One <see cref="CleanerOffsetCheckpoint"/> per log directory, shared by every cleaner thread and the
/// scheduler (the checkpoint caches its file, so two instances for one directory would overwrite
/// each other's entries).
/// </summary>
public sealed class CleanerCheckpoints(IFileSystem fs)
{
    private readonly ConcurrentDictionary<string, CleanerOffsetCheckpoint> _byDirectory = new(StringComparer.Ordinal);

    /// <summary>The checkpoint of the log directory holding <paramref name="log"/>.</summary>
    public CleanerOffsetCheckpoint For(PartitionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var logDir = Path.GetDirectoryName(Path.GetFullPath(log.Directory))!;
        return _byDirectory.GetOrAdd(logDir, static (dir, fs) => new CleanerOffsetCheckpoint(fs, dir), fs);
    }

    /// <summary>
    /// The partition's checkpointed first dirty offset; null when there is none or the file is damaged
    /// or unreadable (cleaning then starts at the log start offset, which only costs time).
    /// </summary>
    public long? TryRead(PartitionLog log)
    {
        try
        {
            return For(log).Read(log.TopicPartition);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
