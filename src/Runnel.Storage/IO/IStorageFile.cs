namespace Runnel.Storage.IO;

/// <summary>
/// An open file with positional reads and writes (pread/pwrite): no shared file pointer, so
/// concurrent readers need no lock. Writes land in the OS page cache; only <see cref="Flush"/> makes
/// them durable.
/// </summary>
/// <remarks>
/// Thread-safety: concurrent <see cref="Read"/> calls are safe with each other and with a
/// <see cref="Write"/> to a different range; the log serializes writes per file itself.
/// </remarks>
public interface IStorageFile : IDisposable
{
    string Path { get; }

    /// <summary>Current length in bytes (as the OS sees it, flushed or not).</summary>
    long Length { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="position"/>; returns fewer only at end of file.</summary>
    int Read(Span<byte> buffer, long position);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="position"/>, extending the file if needed.</summary>
    void Write(ReadOnlySpan<byte> data, long position);

    /// <summary>fsync: makes every byte written so far, and the file's length, durable.</summary>
    void Flush();

    /// <summary>Like <see cref="Flush"/>, without blocking the caller's thread.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Truncates or extends the file.</summary>
    void SetLength(long length);
}
