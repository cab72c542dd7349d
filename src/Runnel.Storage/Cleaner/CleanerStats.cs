namespace Runnel.Storage.Cleaner;

/// <summary>What one <see cref="LogCleaner.Clean(Log.PartitionLog, DateTimeOffset, CancellationToken)"/> call did (Kafka's <c>CleanerStats</c>).</summary>
public sealed record CleanerStats
{
    /// <summary>Map-and-clean passes run (more than one when the dirty keys did not fit the offset map).</summary>
    public int Passes { get; init; }

    /// <summary>Where the dirty section started (from the cleaner checkpoint).</summary>
    public long FirstDirtyOffset { get; init; }

    /// <summary>The first offset not cleanable this time (active segment, last stable offset, min.compaction.lag.ms).</summary>
    public long FirstUncleanableOffset { get; init; }

    /// <summary>The new cleaner checkpoint: everything below it is clean.</summary>
    public long NewFirstDirtyOffset { get; init; }

    /// <summary>
    /// The earliest delete horizon of a tombstone or unneeded transaction marker kept by this clean,
    /// or -1: once it has passed, <see cref="LogCleaner.RemoveExpiredTombstones"/> has something to
    /// remove even if nothing is dirty.
    /// </summary>
    public long EarliestDeleteHorizonMs { get; init; } = -1;

    public long BytesRead { get; init; }

    public long BytesWritten { get; init; }

    public long RecordsRead { get; init; }

    public long RecordsKept { get; init; }

    /// <summary>Records removed: older versions, tombstones and markers past their horizon, records without a key, aborted transactional data.</summary>
    public long RecordsDropped { get; init; }

    /// <summary>Groups of segments rewritten.</summary>
    public int SegmentsCleaned { get; init; }

    /// <summary>Groups not swapped in because retention or truncation changed the log meanwhile.</summary>
    public int GroupsAbandoned { get; init; }
}
