using System.Buffers.Binary;
using Runnel.Storage.IO;

namespace Runnel.Storage.Log;

/// <summary>A time index entry: the largest timestamp so far, and the base offset (relative) of the batch that has it.</summary>
internal readonly record struct TimeIndexEntry(long Timestamp, int RelativeOffset);

/// <summary>
/// The time index of one segment (<c>.timeindex</c>): at each offset-index point, if the largest
/// batch timestamp seen so far grew, an entry (max timestamp, offset of the batch that has it). So
/// timestamps strictly increase and every batch before an entry's offset has a smaller timestamp.
/// When the segment stops being active a final entry records its largest timestamp (Kafka's
/// <c>onBecomeInactiveSegment</c>), so retention can read it without scanning.
/// </summary>
internal sealed class TimeIndex : IndexFile<TimeIndexEntry>
{
    /// <summary>"RNTI": Runnel time index.</summary>
    public const uint FileMagic = 0x524E5449;

    public const int Size = 12;

    private TimeIndex(IStorageFile file, long baseOffset, int maxEntries, ReadOnlySpan<TimeIndexEntry> entries)
        : base(file, baseOffset, maxEntries, entries)
    {
    }

    protected override int EntrySize => Size;

    protected override uint Magic => FileMagic;

    public static int MaxEntriesFor(int indexBytes) => Math.Max(1, (indexBytes - HeaderSize) / Size);

    public static TimeIndex Create(IFileSystem fs, string path, long baseOffset, int maxEntries) =>
        new(CreateFile(fs, path, FileMagic, baseOffset), baseOffset, maxEntries, []);

    /// <summary>Loads the index, or returns null with the reason it must be rebuilt.</summary>
    public static TimeIndex? TryLoad(IFileSystem fs, string path, long baseOffset, int maxEntries, long nextOffset, out string? problem)
    {
        var entries = TryLoadEntries(fs, path, FileMagic, Size, baseOffset, static m => DecodeEntry(m.Span),
            (entry, previous, i) =>
                entry.RelativeOffset < 0 || baseOffset + entry.RelativeOffset >= nextOffset
                    ? $"entry {i} offset {baseOffset + entry.RelativeOffset} is outside the segment's offsets [{baseOffset}, {nextOffset})"
                    : previous is { } p && (entry.Timestamp <= p.Timestamp || entry.RelativeOffset < p.RelativeOffset)
                        ? $"entry {i} is not above entry {i - 1}"
                        : null,
            out var file, out problem);
        return entries is null ? null : new TimeIndex(file!, baseOffset, maxEntries, entries);
    }

    /// <summary>
    /// The last entry whose timestamp is at or below <paramref name="timestamp"/>, as (timestamp,
    /// offset); (-1, base offset) when there is none. Every batch before the returned offset has a
    /// max timestamp below the entry's, so a search for "first batch with max timestamp ≥ target"
    /// may start there.
    /// </summary>
    public (long Timestamp, long Offset) Lookup(long timestamp)
    {
        var entries = Snapshot();
        var count = entries.Count;
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (entries[mid].Timestamp <= timestamp)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found < 0 ? (-1, BaseOffset) : (entries[found].Timestamp, BaseOffset + entries[found].RelativeOffset);
    }

    /// <summary>Appends (timestamp, offset) if the timestamp is above the last entry's and there is room (or <paramref name="skipFullCheck"/>).</summary>
    public void MaybeAppend(long timestamp, long offset, bool skipFullCheck = false)
    {
        if (timestamp < 0 || (!skipFullCheck && IsFull))
        {
            return;
        }

        var last = LastEntry;
        if (last is { } entry && (timestamp <= entry.Timestamp || offset < BaseOffset + entry.RelativeOffset))
        {
            return;
        }

        AppendEntry(new TimeIndexEntry(timestamp, checked((int)(offset - BaseOffset))));
    }

    protected override int RelativeOffsetOf(in TimeIndexEntry entry) => entry.RelativeOffset;

    protected override void Encode(in TimeIndexEntry entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, entry.Timestamp);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], entry.RelativeOffset);
    }

    protected override TimeIndexEntry Decode(ReadOnlySpan<byte> source) => DecodeEntry(source);

    private static TimeIndexEntry DecodeEntry(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[8..]));
}
