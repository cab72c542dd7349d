namespace Runnel.Storage.Cleaner;

/// <summary>
/// A compacted log's cleanable section (Kafka's <c>LogCleanerManager.cleanableOffsets</c> and
/// <c>LogToClean</c>): dirty from <see cref="FirstDirtyOffset"/> up to <see cref="FirstUncleanableOffset"/>.
/// The scheduler (not built yet) picks the log with the highest <see cref="DirtyRatio"/> above
/// <c>min.cleanable.dirty.ratio</c>.
/// </summary>
/// <param name="FirstDirtyOffset">The cleaner checkpoint, clamped to [log start offset, log end offset].</param>
/// <param name="FirstUncleanableOffset">Base offset of the first segment the cleaner must not touch.</param>
/// <param name="CleanBytes">Bytes of the segments entirely below the first dirty offset.</param>
/// <param name="CleanableBytes">Bytes of the segments from the one holding the first dirty offset up to the first uncleanable one.</param>
public readonly record struct CleanableRange(long FirstDirtyOffset, long FirstUncleanableOffset, long CleanBytes, long CleanableBytes)
{
    public bool IsCleanable => FirstDirtyOffset < FirstUncleanableOffset && CleanableBytes > 0;

    /// <summary>cleanable / (clean + cleanable), 0 when the log is empty.</summary>
    public double DirtyRatio => CleanBytes + CleanableBytes == 0 ? 0 : (double)CleanableBytes / (CleanBytes + CleanableBytes);
}
