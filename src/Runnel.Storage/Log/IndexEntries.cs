namespace Runnel.Storage.Log;

/// <summary>
/// A reader's view of an index's entries [0, <see cref="Count"/>), stored in chunks of at most
/// <see cref="ChunkSize"/> entries (every chunk but the last full). Chunks, not one array: a growing
/// index then leaves at most a chunk's worth of doubled copies as garbage, and no chunk is large
/// enough for the large-object heap, whose garbage only a gen2 collection frees; a 10 MiB index
/// would otherwise end in multi-megabyte arrays.
/// </summary>
internal readonly struct IndexEntries<TEntry>
    where TEntry : struct
{
    /// <summary>Entries in a full chunk: 8 KiB of offset entries, 16 KiB of time entries.</summary>
    public const int ChunkSize = 1 << ChunkShift;

    public const int ChunkShift = 10;

    private const int ChunkMask = ChunkSize - 1;

    private readonly TEntry[]?[] _chunks;

    public IndexEntries(TEntry[]?[] chunks, int count)
    {
        _chunks = chunks;
        Count = count;
    }

    public int Count { get; }

    public TEntry this[int index] => _chunks[index >> ChunkShift]![index & ChunkMask];

    /// <summary>Chunks needed for <paramref name="count"/> entries.</summary>
    public static int ChunksFor(int count) => (count + ChunkMask) >> ChunkShift;
}
