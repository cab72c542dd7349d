using System.Buffers;
using System.Buffers.Binary;
using Runnel.Storage.IO;

namespace Runnel.Storage.Log;

/// <summary>
/// Shared machinery of the offset and time indexes: a 16-byte versioned header followed by
/// fixed-size big-endian entries (layout in docs/formats/index.md). Entries are kept in memory in
/// fixed-size chunks (<see cref="IndexEntries{TEntry}"/>) for binary search and appended to the file
/// as they are added; the file is never preallocated, so its length is always
/// <c>HeaderSize + Count * EntrySize</c>.
/// </summary>
/// <remarks>
/// Concurrency: one writer (the partition's append lock) and any number of lock-free readers. The
/// writer stores an entry (in a new chunk, and a grown chunk directory, when needed), publishes
/// the directory before the count, then the count with a volatile write; readers read the count
/// first, then the directory, so every entry below the count is visible.
/// Truncation (replication, recovery) may race with a reader, which then gets a stale hint; readers
/// only use an entry as a starting point for a forward scan, never as the answer itself.
/// </remarks>
internal abstract class IndexFile<TEntry> : IDisposable
    where TEntry : struct
{
    /// <summary>Magic, Version, MinCompatibleVersion, BaseOffset.</summary>
    public const int HeaderSize = 16;

    /// <summary>The format this code writes.</summary>
    public const short CurrentVersion = 1;

    /// <summary>Oldest reader version that can read what this code writes.</summary>
    public const short CurrentMinCompatibleVersion = 1;

    private readonly IStorageFile _file;
    private TEntry[]?[] _chunks;
    private int _count;
    private bool _dirty;

    protected IndexFile(IStorageFile file, long baseOffset, int maxEntries, ReadOnlySpan<TEntry> entries)
    {
        _file = file;
        BaseOffset = baseOffset;
        MaxEntries = maxEntries;
        _chunks = ToChunks(entries);
        _count = entries.Length;
    }

    public long BaseOffset { get; }

    public string FilePath => _file.Path;

    /// <summary>Entries allowed by <c>segment.index.bytes</c>; a full index rolls the segment.</summary>
    public int MaxEntries { get; }

    public int Count => Volatile.Read(ref _count);

    public bool IsFull => Count >= MaxEntries;

    /// <summary>Bytes in the file.</summary>
    public long SizeInBytes => HeaderSize + ((long)Count * EntrySize);

    protected abstract int EntrySize { get; }

    protected abstract uint Magic { get; }

    /// <summary>A consistent view for readers: entries [0, count).</summary>
    protected IndexEntries<TEntry> Snapshot()
    {
        var count = Volatile.Read(ref _count);
        var chunks = Volatile.Read(ref _chunks);
        return new IndexEntries<TEntry>(chunks, count);
    }

    public TEntry? LastEntry
    {
        get
        {
            var entries = Snapshot();
            return entries.Count == 0 ? null : entries[entries.Count - 1];
        }
    }

    public TEntry EntryAt(int index)
    {
        var entries = Snapshot();
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, entries.Count);
        return entries[index];
    }

    protected abstract void Encode(in TEntry entry, Span<byte> destination);

    protected abstract TEntry Decode(ReadOnlySpan<byte> source);

    /// <summary>Appends an entry to memory and file (page cache). Caller holds the writer role.</summary>
    protected void AppendEntry(in TEntry entry)
    {
        var count = _count;
        var chunk = ChunkFor(count);
        Span<byte> buffer = stackalloc byte[16];
        Encode(entry, buffer);
        _file.Write(buffer[..EntrySize], HeaderSize + ((long)count * EntrySize));
        chunk[count & (IndexEntries<TEntry>.ChunkSize - 1)] = entry;
        _dirty = true;
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>An entry's offset relative to <see cref="BaseOffset"/>: both indexes point at batches by it.</summary>
    protected abstract int RelativeOffsetOf(in TEntry entry);

    /// <summary>Removes the entries for offsets at or above <paramref name="offset"/>.</summary>
    public void TruncateTo(long offset)
    {
        var entries = Snapshot();
        var keep = entries.Count;
        while (keep > 0 && BaseOffset + RelativeOffsetOf(entries[keep - 1]) >= offset)
        {
            keep--;
        }

        TruncateToCount(keep);
    }

    /// <summary>Keeps the first <paramref name="count"/> entries and truncates the file to match.</summary>
    public void TruncateToCount(int count)
    {
        if (count >= _count)
        {
            return;
        }

        Volatile.Write(ref _count, count);
        _file.SetLength(HeaderSize + ((long)count * EntrySize));
        _dirty = true;
    }

    /// <summary>Replaces every entry (after a rebuild) and rewrites the file in one write.</summary>
    public void ReplaceAll(ReadOnlySpan<TEntry> entries)
    {
        var size = HeaderSize + (entries.Length * EntrySize);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            WriteHeader(buffer, Magic, BaseOffset);
            for (var i = 0; i < entries.Length; i++)
            {
                Encode(entries[i], buffer.AsSpan(HeaderSize + (i * EntrySize), EntrySize));
            }

            _file.SetLength(0);
            _file.Write(buffer.AsSpan(0, size), 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var chunks = ToChunks(entries);
        Volatile.Write(ref _count, 0);
        Volatile.Write(ref _chunks, chunks);
        Volatile.Write(ref _count, entries.Length);
        _dirty = true;
    }

    /// <summary>
    /// The chunk that holds entry <paramref name="index"/>, added or grown (and published) when
    /// needed. A chunk starts at 16 entries and doubles up to <see cref="IndexEntries{TEntry}.ChunkSize"/>,
    /// so the index of a small segment (most of them, on a broker with many partitions) stays small.
    /// A grown chunk replaces the old one in its slot after the copy: a reader still holding the old
    /// one only reads entries below the count it saw, which were copied.
    /// </summary>
    private TEntry[] ChunkFor(int index)
    {
        var chunks = _chunks;
        var slot = index >> IndexEntries<TEntry>.ChunkShift;
        var inChunk = index & (IndexEntries<TEntry>.ChunkSize - 1);
        if (slot < chunks.Length && chunks[slot] is { } existing)
        {
            if (inChunk < existing.Length)
            {
                return existing; // also after a truncation: the chunk's later entries are overwritten
            }

            var grown = new TEntry[Math.Min(IndexEntries<TEntry>.ChunkSize, Math.Max(inChunk + 1, existing.Length * 2))];
            Array.Copy(existing, grown, existing.Length);
            chunks[slot] = grown;
            return grown;
        }

        var chunk = new TEntry[Math.Min(IndexEntries<TEntry>.ChunkSize, Math.Max(16, inChunk + 1))];
        if (slot >= chunks.Length)
        {
            // A new directory, published whole: a reader holding the old one only looks below its count.
            var directory = new TEntry[]?[Math.Max(4, chunks.Length * 2)];
            Array.Copy(chunks, directory, chunks.Length);
            directory[slot] = chunk;
            Volatile.Write(ref _chunks, directory);
        }
        else
        {
            chunks[slot] = chunk;
        }

        return chunk;
    }

    private static TEntry[]?[] ToChunks(ReadOnlySpan<TEntry> entries)
    {
        var chunks = new TEntry[]?[Math.Max(4, IndexEntries<TEntry>.ChunksFor(entries.Length))];
        for (var i = 0; i * IndexEntries<TEntry>.ChunkSize < entries.Length; i++)
        {
            // Sized to what it holds: a loaded index is usually final (an inactive segment).
            var start = i * IndexEntries<TEntry>.ChunkSize;
            var chunk = entries.Slice(start, Math.Min(IndexEntries<TEntry>.ChunkSize, entries.Length - start)).ToArray();
            chunks[i] = chunk;
        }

        return chunks;
    }

    /// <summary>fsyncs the file if entries changed since the last flush.</summary>
    public void Flush()
    {
        if (_dirty)
        {
            _dirty = false;
            _file.Flush();
        }
    }

    public void Dispose() => _file.Dispose();

    protected static void WriteHeader(Span<byte> destination, uint magic, long baseOffset)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, magic);
        BinaryPrimitives.WriteInt16BigEndian(destination[4..], CurrentVersion);
        BinaryPrimitives.WriteInt16BigEndian(destination[6..], CurrentMinCompatibleVersion);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], baseOffset);
    }

    /// <summary>Creates (or empties) the file and writes the header.</summary>
    protected static IStorageFile CreateFile(IFileSystem fs, string path, uint magic, long baseOffset)
    {
        var file = fs.OpenFile(path, FileMode.Create);
        try
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            WriteHeader(header, magic, baseOffset);
            file.Write(header, 0);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads an index file (<see cref="TryReadEntries"/>) and checks every entry with
    /// <paramref name="check"/> (the entry, the one before it or null, its number), which returns
    /// what is wrong or null. Returns null with the <paramref name="problem"/> (the file closed)
    /// when the index must be rebuilt; otherwise the entries, and the open <paramref name="file"/>.
    /// </summary>
    protected static TEntry[]? TryLoadEntries(
        IFileSystem fs, string path, uint magic, int entrySize, long baseOffset, Func<ReadOnlyMemory<byte>, TEntry> decode,
        Func<TEntry, TEntry?, int, string?> check, out IStorageFile? file, out string? problem)
    {
        file = null;
        try
        {
            var entries = TryReadEntries(fs, path, magic, entrySize, baseOffset, decode, out file, out problem);
            for (var i = 0; entries is not null && i < entries.Length; i++)
            {
                problem = check(entries[i], i > 0 ? entries[i - 1] : null, i);
                if (problem is not null)
                {
                    entries = null;
                }
            }

            if (entries is null)
            {
                file?.Dispose();
                file = null;
            }

            return entries;
        }
        catch
        {
            file?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads an existing index file: checks header and size, decodes the entries. Returns null with a
    /// <paramref name="problem"/> when the file is missing, from an incompatible version, or damaged;
    /// the segment then rebuilds it from the log.
    /// </summary>
    protected static TEntry[]? TryReadEntries(
        IFileSystem fs, string path, uint magic, int entrySize, long baseOffset, Func<ReadOnlyMemory<byte>, TEntry> decode,
        out IStorageFile? file, out string? problem)
    {
        file = null;
        if (!fs.FileExists(path))
        {
            problem = "file missing";
            return null;
        }

        file = fs.OpenFile(path, FileMode.Open);
        var length = file.Length;
        if (length < HeaderSize)
        {
            problem = $"length {length} is shorter than the {HeaderSize}-byte header";
            return null;
        }

        if ((length - HeaderSize) % entrySize != 0)
        {
            problem = $"length {length} is not the header plus whole {entrySize}-byte entries";
            return null;
        }

        if (length > int.MaxValue)
        {
            problem = $"length {length} is too large";
            return null;
        }

        var bytes = new byte[length];
        file.ReadExactly(bytes, 0);
        var actualMagic = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        var version = BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(4));
        var minCompatible = BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(6));
        var fileBase = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(8));
        if (actualMagic != magic)
        {
            problem = $"magic 0x{actualMagic:X8} is not 0x{magic:X8}";
            return null;
        }

        if (minCompatible > CurrentVersion || version < 1)
        {
            problem = $"version {version} (min compatible {minCompatible}) cannot be read by version {CurrentVersion}";
            return null;
        }

        if (fileBase != baseOffset)
        {
            problem = $"header base offset {fileBase} differs from the segment's {baseOffset}";
            return null;
        }

        var count = (int)((length - HeaderSize) / entrySize);
        var entries = new TEntry[count];
        var memory = bytes.AsMemory();
        for (var i = 0; i < count; i++)
        {
            entries[i] = decode(memory.Slice(HeaderSize + (i * entrySize), entrySize));
        }

        problem = null;
        return entries;
    }
}
