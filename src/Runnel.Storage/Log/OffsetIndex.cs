using System.Buffers.Binary;
using Runnel.Storage.IO;

namespace Runnel.Storage.Log;

/// <summary>An offset index entry: a batch's base offset relative to the segment, and its byte position.</summary>
internal readonly record struct OffsetIndexEntry(int RelativeOffset, int Position);

/// <summary>
/// The sparse offset index of one segment (<c>.index</c>): one entry per <c>index.interval.bytes</c>
/// of batches, mapping a batch's base offset to its position in the <c>.log</c> file. Lookup is a
/// binary search, then the reader scans batch headers forward from the position found.
/// </summary>
/// <remarks>
/// Kafka keys its entries by a batch's last offset; we key by the base offset, so an entry names the
/// exact batch that starts at its position. Either works for "largest entry at or below the target".
/// </remarks>
internal sealed class OffsetIndex : IndexFile<OffsetIndexEntry>
{
    /// <summary>"RNOI": Runnel offset index.</summary>
    public const uint FileMagic = 0x524E4F49;

    public const int Size = 8;

    private OffsetIndex(IStorageFile file, long baseOffset, int maxEntries, ReadOnlySpan<OffsetIndexEntry> entries)
        : base(file, baseOffset, maxEntries, entries)
    {
    }

    protected override int EntrySize => Size;

    protected override uint Magic => FileMagic;

    public static int MaxEntriesFor(int indexBytes) => Math.Max(1, (indexBytes - HeaderSize) / Size);

    public static OffsetIndex Create(IFileSystem fs, string path, long baseOffset, int maxEntries) =>
        new(CreateFile(fs, path, FileMagic, baseOffset), baseOffset, maxEntries, []);

    /// <summary>Loads the index, or returns null with the reason it must be rebuilt.</summary>
    public static OffsetIndex? TryLoad(IFileSystem fs, string path, long baseOffset, int maxEntries, long logSize, out string? problem)
    {
        var entries = TryLoadEntries(fs, path, FileMagic, Size, baseOffset, static m => DecodeEntry(m.Span),
            (entry, previous, i) =>
                entry.RelativeOffset < 0 || entry.Position < 0 || entry.Position >= logSize
                    ? $"entry {i} ({entry.RelativeOffset}, {entry.Position}) points outside the {logSize}-byte log"
                    : previous is { } p && (entry.RelativeOffset <= p.RelativeOffset || entry.Position <= p.Position)
                        ? $"entry {i} is not above entry {i - 1}"
                        : null,
            out var file, out problem);
        return entries is null ? null : new OffsetIndex(file!, baseOffset, maxEntries, entries);
    }

    /// <summary>
    /// The last entry at or below <paramref name="targetOffset"/>, as (offset, position); the segment
    /// start (base offset, 0) when there is none.
    /// </summary>
    public (long Offset, int Position) Lookup(long targetOffset)
    {
        var entries = Snapshot();
        var count = entries.Count;
        var relative = targetOffset - BaseOffset;
        if (relative < 0 || count == 0)
        {
            return (BaseOffset, 0);
        }

        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (entries[mid].RelativeOffset <= relative)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found < 0 ? (BaseOffset, 0) : (BaseOffset + entries[found].RelativeOffset, entries[found].Position);
    }

    public void Append(long offset, int position) =>
        AppendEntry(new OffsetIndexEntry(checked((int)(offset - BaseOffset)), position));

    protected override int RelativeOffsetOf(in OffsetIndexEntry entry) => entry.RelativeOffset;

    protected override void Encode(in OffsetIndexEntry entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, entry.RelativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], entry.Position);
    }

    protected override OffsetIndexEntry Decode(ReadOnlySpan<byte> source) => DecodeEntry(source);

    private static OffsetIndexEntry DecodeEntry(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt32BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[4..]));
}
