using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.Storage.Checkpoints;

/// <summary>
/// The per-log-directory <c>cleaner-offset-checkpoint</c> (Kafka's name): for each compacted partition
/// the first dirty offset, below which the log is clean. Same file format and atomic write as
/// <see cref="OffsetCheckpointFile"/> (docs/formats/checkpoints.md).
/// </summary>
/// <remarks>
/// Thread-safe: the file is read once and kept in memory; updates rewrite the whole file under one
/// lock per instance, so one log directory must have one instance. A lost or stale checkpoint is
/// safe: the cleaner then re-cleans from an earlier offset, which only costs time.
/// </remarks>
public sealed class CleanerOffsetCheckpoint(IFileSystem fs, string logDirectory)
{
    public const string FileName = "cleaner-offset-checkpoint";

    private readonly Lock _lock = new();
    private Dictionary<TopicPartition, long>? _offsets;

    public string FilePath { get; } = Path.Combine(logDirectory, FileName);

    /// <summary>The partition's first dirty offset, or null when it has none. Throws <see cref="InvalidDataException"/> for a damaged file.</summary>
    public long? Read(TopicPartition topicPartition)
    {
        lock (_lock)
        {
            _offsets ??= OffsetCheckpointFile.Read(fs, FilePath) ?? [];
            return _offsets.TryGetValue(topicPartition, out var offset) ? offset : null;
        }
    }

    /// <summary>Stores the partition's first dirty offset (a damaged file is replaced).</summary>
    public void Update(TopicPartition topicPartition, long firstDirtyOffset) => Change(topicPartition, firstDirtyOffset);

    /// <summary>Forgets the partition (topic deleted, or no longer compacted).</summary>
    public void Remove(TopicPartition topicPartition) => Change(topicPartition, null);

    private void Change(TopicPartition topicPartition, long? offset)
    {
        lock (_lock)
        {
            Dictionary<TopicPartition, long> offsets;
            try
            {
                offsets = _offsets ?? OffsetCheckpointFile.Read(fs, FilePath) ?? [];
            }
            catch (InvalidDataException)
            {
                offsets = [];
            }

            _offsets = offsets;

            if (offset is { } value)
            {
                offsets[topicPartition] = value;
            }
            else if (!offsets.Remove(topicPartition))
            {
                return;
            }

            OffsetCheckpointFile.Write(fs, FilePath, offsets);
        }
    }
}
