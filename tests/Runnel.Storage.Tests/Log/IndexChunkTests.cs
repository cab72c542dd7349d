using Runnel.Storage.IO;
using Runnel.Storage.Log;
using Runnel.TestKit;

namespace Runnel.Storage.Tests.Log;

/// <summary>
/// The offset and time indexes keep their entries in fixed-size chunks: lookups, truncation,
/// appends after a truncation and a reload from the file must see the same entries as a plain
/// list would, across chunk boundaries.
/// </summary>
public sealed class IndexChunkTests
{
    private const long BaseOffset = 1_000;
    private const int Entries = (IndexEntries<OffsetIndexEntry>.ChunkSize * 3) + 17;

    [Fact]
    public void An_offset_index_of_several_chunks_answers_like_a_list_through_truncation_refill_and_reload()
    {
        using var temp = new TempDirectory("index-chunks");
        var path = temp.Combine("00000000000000001000.index");
        var index = OffsetIndex.Create(PhysicalFileSystem.Instance, path, BaseOffset, maxEntries: 100_000);
        var expected = new List<(long Offset, int Position)>();
        for (var i = 0; i < Entries; i++)
        {
            Add(index, expected, BaseOffset + (i * 3L), i * 100);
        }

        CheckOffsets(index, expected);

        // Cut back into the middle of the second chunk, then fill past the old end with other positions.
        var cut = IndexEntries<OffsetIndexEntry>.ChunkSize + 300;
        index.TruncateTo(expected[cut].Offset);
        expected.RemoveRange(cut, expected.Count - cut);
        Assert.Equal(cut, index.Count);
        CheckOffsets(index, expected);
        for (var i = cut; i < Entries + 500; i++)
        {
            Add(index, expected, BaseOffset + (i * 3L), (i * 100) + 7);
        }

        CheckOffsets(index, expected);
        index.Dispose();

        using var reloaded = OffsetIndex.TryLoad(PhysicalFileSystem.Instance, path, BaseOffset, 100_000, logSize: long.MaxValue, out var problem);
        Assert.Null(problem);
        CheckOffsets(reloaded!, expected);

        // A loaded index holds a last chunk sized to its entries; appending grows it, then starts the next.
        var next = expected[^1];
        for (var i = 1; i <= IndexEntries<OffsetIndexEntry>.ChunkSize; i++)
        {
            Add(reloaded!, expected, next.Offset + (i * 3L), next.Position + (i * 100));
        }

        CheckOffsets(reloaded!, expected);
    }

    [Fact]
    public void A_time_index_of_several_chunks_answers_like_a_list()
    {
        using var temp = new TempDirectory("index-chunks");
        using var index = TimeIndex.Create(PhysicalFileSystem.Instance, temp.Combine("00000000000000001000.timeindex"), BaseOffset, maxEntries: 100_000);
        var expected = new List<(long Timestamp, long Offset)>();
        for (var i = 0; i < Entries; i++)
        {
            var timestamp = 50_000 + (i * 10L);
            index.MaybeAppend(timestamp, BaseOffset + (i * 2L));
            expected.Add((timestamp, BaseOffset + (i * 2L)));
        }

        Assert.Equal(Entries, index.Count);
        Assert.Equal(expected[^1], (index.LastEntry!.Value.Timestamp, BaseOffset + index.LastEntry!.Value.RelativeOffset));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], index.Lookup(expected[i].Timestamp));
            Assert.Equal(expected[i], index.Lookup(expected[i].Timestamp + 9));
        }

        Assert.Equal((-1, BaseOffset), index.Lookup(49_999));
    }

    private static void Add(OffsetIndex index, List<(long Offset, int Position)> expected, long offset, int position)
    {
        index.Append(offset, position);
        expected.Add((offset, position));
    }

    private static void CheckOffsets(OffsetIndex index, List<(long Offset, int Position)> expected)
    {
        Assert.Equal(expected.Count, index.Count);
        Assert.Equal(BaseOffset, index.Lookup(BaseOffset - 1).Offset);
        for (var i = 0; i < expected.Count; i++)
        {
            // An entry's own offset finds it, and so does every offset up to the next entry's.
            Assert.Equal(expected[i], index.Lookup(expected[i].Offset));
            Assert.Equal(expected[i], index.Lookup(expected[i].Offset + 2));
            Assert.Equal(expected[i], index.EntryAt(i) is var e ? (BaseOffset + e.RelativeOffset, e.Position) : default);
        }
    }
}
