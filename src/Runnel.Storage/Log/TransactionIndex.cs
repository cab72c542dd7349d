using System.Buffers;
using System.Buffers.Binary;
using Runnel.Storage.IO;

namespace Runnel.Storage.Log;

/// <summary>
/// One segment's aborted-transaction index, <c>&lt;baseOffset&gt;.txnindex</c> (Kafka's
/// <c>TransactionIndex</c>; layout in docs/formats/txn-index.md): Kafka's 34-byte entries, no file
/// header, one per transaction aborted by a marker in this segment, in marker order. The file is
/// created with the first entry, so a segment without aborts has none.
/// </summary>
/// <remarks>
/// <para>This class only persists entries; the partition keeps them all in memory
/// (<see cref="AbortedTransactionList"/>). It remembers how many the file holds and the last one's
/// offset (entries must increase), and reads the file back only to load it, to cut it on truncation
/// and to copy it into a cleaned segment.</para>
/// <para>Concurrency: written under the partition's append lock (append, truncation), during the open,
/// or by the cleaner before its segment is published; fsynced by the flusher once the segment is
/// inactive. Reads happen when no writer can change the file: during the open, or by the cleaner on
/// an inactive segment.</para>
/// </remarks>
internal sealed class TransactionIndex : IDisposable
{
    /// <summary>version int16, producerId int64, firstOffset int64, lastOffset int64, lastStableOffset int64.</summary>
    public const int EntrySize = 34;

    /// <summary>The only entry version Kafka and Runnel write.</summary>
    public const short CurrentVersion = 0;

    private readonly IFileSystem _fs;
    private IStorageFile? _file;
    private int _count;
    private long _lastOffset = -1;
    private int _dirty;

    private TransactionIndex(IFileSystem fs, string path, long baseOffset, IStorageFile? file)
    {
        _fs = fs;
        FilePath = path;
        BaseOffset = baseOffset;
        _file = file;
    }

    public long BaseOffset { get; }

    /// <summary>Where the file is or will be created (it follows renames).</summary>
    public string FilePath { get; private set; }

    /// <summary>Entries in the file.</summary>
    public int Count => _count;

    /// <summary>The index of a new segment: no file until the first entry; a leftover file with the same name is removed.</summary>
    public static TransactionIndex CreateEmpty(IFileSystem fs, string path, long baseOffset)
    {
        if (fs.FileExists(path))
        {
            fs.DeleteFile(path);
        }

        return new TransactionIndex(fs, path, baseOffset, null);
    }

    /// <summary>The index of an existing segment: opens the file if there is one (<see cref="Load"/> reads it).</summary>
    public static TransactionIndex Open(IFileSystem fs, string path, long baseOffset) =>
        new(fs, path, baseOffset, fs.FileExists(path) ? fs.OpenFile(path, FileMode.Open) : null);

    /// <summary>
    /// Reads the file and adds its entries to <paramref name="into"/>, checking each (version 0, offsets
    /// ordered, the marker inside [<see cref="BaseOffset"/>, <paramref name="nextOffset"/>), increasing
    /// last offsets, whole entries). Stops at the first bad one and returns what is wrong with it; the
    /// caller must then rebuild this segment's entries (truncating the file at or below its base first).
    /// </summary>
    public string? Load(long nextOffset, List<AbortedTransaction> into)
    {
        var file = _file;
        if (file is null)
        {
            return null;
        }

        var length = file.Length;
        if (length > int.MaxValue)
        {
            return $"length {length} is too large";
        }

        var bytes = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var span = bytes.AsSpan(0, (int)length);
            file.ReadExactly(span, 0);
            var count = (int)(length / EntrySize);
            for (var i = 0; i < count; i++)
            {
                var entry = Decode(span.Slice(i * EntrySize, EntrySize), out var version);
                var problem = version != CurrentVersion
                    ? $"entry {i} has version {version}, expected {CurrentVersion}"
                    : Check(entry, nextOffset);
                if (problem is not null)
                {
                    return $"entry {i}: {problem}";
                }

                into.Add(entry);
                _count = i + 1;
                _lastOffset = entry.LastOffset;
            }

            return length % EntrySize == 0 ? null : $"{length % EntrySize} bytes after the last whole {EntrySize}-byte entry";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private string? Check(in AbortedTransaction entry, long nextOffset)
    {
        if (entry.LastOffset <= _lastOffset)
        {
            return $"last offset {entry.LastOffset} is not above the previous entry's {_lastOffset}";
        }

        if (entry.LastOffset < BaseOffset || entry.LastOffset >= nextOffset)
        {
            return $"last offset {entry.LastOffset} is outside the segment's offsets [{BaseOffset}, {nextOffset})";
        }

        return entry.FirstOffset < 0 || entry.FirstOffset > entry.LastOffset || entry.LastStableOffset < 0 || entry.LastStableOffset > entry.LastOffset + 1
            ? $"offsets out of order (first {entry.FirstOffset}, last {entry.LastOffset}, last stable {entry.LastStableOffset})"
            : null;
    }

    /// <summary>
    /// Appends entries in one write (creating the file with the first); each last offset must be
    /// above the previous entry's. Returns true when the file was created, so the caller makes the
    /// directory entry durable. Throws <see cref="IOException"/> on a write failure.
    /// </summary>
    public bool AppendRange(ReadOnlySpan<AbortedTransaction> entries)
    {
        if (entries.IsEmpty)
        {
            return false;
        }

        var previous = _lastOffset;
        foreach (var entry in entries)
        {
            if (entry.LastOffset <= previous)
            {
                throw new InvalidOperationException($"{FilePath}: aborted transactions must be appended in marker order ({entry.LastOffset} after {previous}).");
            }

            previous = entry.LastOffset;
        }

        var created = _file is null;
        var file = _file ??= _fs.OpenFile(FilePath, FileMode.Create);
        var size = entries.Length * EntrySize;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            for (var i = 0; i < entries.Length; i++)
            {
                Encode(entries[i], buffer.AsSpan(i * EntrySize, EntrySize));
            }

            file.Write(buffer.AsSpan(0, size), (long)_count * EntrySize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _count += entries.Length;
        _lastOffset = previous;
        Volatile.Write(ref _dirty, 1);
        return created;
    }

    /// <summary>Kafka's <c>TransactionIndex.truncateTo</c>: removes the entries whose marker is at or after <paramref name="offset"/>.</summary>
    public void TruncateTo(long offset)
    {
        var file = _file;
        if (file is null)
        {
            return;
        }

        var keep = 0;
        var lastOffset = -1L;
        if (offset > BaseOffset)
        {
            var kept = new List<AbortedTransaction>(_count);
            ReadAll(kept);
            while (keep < kept.Count && kept[keep].LastOffset < offset)
            {
                lastOffset = kept[keep].LastOffset;
                keep++;
            }
        }

        if ((long)keep * EntrySize == file.Length)
        {
            return;
        }

        file.SetLength((long)keep * EntrySize);
        _count = keep;
        _lastOffset = lastOffset;
        Volatile.Write(ref _dirty, 1);
    }

    /// <summary>Adds the file's entries to <paramref name="into"/> (the cleaner copies them into the segment that replaces this one).</summary>
    public void ReadAll(List<AbortedTransaction> into)
    {
        var file = _file;
        if (file is null || _count == 0)
        {
            return;
        }

        var size = _count * EntrySize;
        var bytes = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            file.ReadExactly(bytes.AsSpan(0, size), 0);
            for (var i = 0; i < _count; i++)
            {
                into.Add(Decode(bytes.AsSpan(i * EntrySize, EntrySize), out _));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>fsyncs the file if it changed since the last flush.</summary>
    public void Flush()
    {
        var file = Volatile.Read(ref _file);
        if (file is not null && Interlocked.Exchange(ref _dirty, 0) == 1)
        {
            file.Flush();
        }
    }

    /// <summary>Renames the file, if there is one, to <paramref name="path"/>; later writes go there (the open handle follows the file).</summary>
    public void MoveTo(string path)
    {
        if (_file is not null || _fs.FileExists(FilePath))
        {
            _fs.MoveFile(FilePath, path, overwrite: true);
        }

        FilePath = path;
    }

    /// <summary>Closes the handle and deletes the file (no error when there is none).</summary>
    public void Delete()
    {
        Dispose();
        _fs.DeleteFile(FilePath);
    }

    public void Dispose() => _file?.Dispose();

    /// <summary>Writes <paramref name="entry"/> in Kafka's 34-byte layout.</summary>
    public static void Encode(in AbortedTransaction entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, CurrentVersion);
        BinaryPrimitives.WriteInt64BigEndian(destination[2..], entry.ProducerId);
        BinaryPrimitives.WriteInt64BigEndian(destination[10..], entry.FirstOffset);
        BinaryPrimitives.WriteInt64BigEndian(destination[18..], entry.LastOffset);
        BinaryPrimitives.WriteInt64BigEndian(destination[26..], entry.LastStableOffset);
    }

    /// <summary>Reads one 34-byte entry.</summary>
    public static AbortedTransaction Decode(ReadOnlySpan<byte> source, out short version)
    {
        version = BinaryPrimitives.ReadInt16BigEndian(source);
        return new AbortedTransaction(
            BinaryPrimitives.ReadInt64BigEndian(source[2..]),
            BinaryPrimitives.ReadInt64BigEndian(source[10..]),
            BinaryPrimitives.ReadInt64BigEndian(source[18..]),
            BinaryPrimitives.ReadInt64BigEndian(source[26..]));
    }
}
