using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Runnel.Cli.DumpLog;

/// <summary>
/// Positional reads of one file through a pooled window buffer, read-only and shared with writers
/// (a live broker's files can be dumped). A request inside the window is served from memory; any
/// other reads a new window of at least <see cref="ChunkSize"/> bytes at the requested position, so a
/// forward walk reads the file once in large steps and memory stays at one chunk or the largest
/// single request, never the whole file.
/// </summary>
internal sealed class BufferedFileReader : IDisposable
{
    public const int ChunkSize = 256 * 1024;

    private readonly SafeFileHandle _handle;
    private byte[] _buffer;
    private long _bufferStart;
    private int _bufferLength;

    private BufferedFileReader(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
        Length = RandomAccess.GetLength(handle);
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(Length, 64, ChunkSize));
    }

    public string Path { get; }

    /// <summary>The file's length when it was opened.</summary>
    public long Length { get; }

    public static BufferedFileReader Open(string path) =>
        new(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), path);

    /// <summary>
    /// The bytes [position, position + count), valid until the next call; empty when the file ends
    /// first. The caller bounds <paramref name="count"/> (it is the size of the buffer kept).
    /// </summary>
    public ReadOnlySpan<byte> Read(long position, int count)
    {
        if (position < 0 || count < 0 || position + count > Length)
        {
            return [];
        }

        if (position >= _bufferStart && position + count <= _bufferStart + _bufferLength)
        {
            return _buffer.AsSpan((int)(position - _bufferStart), count);
        }

        int want = (int)Math.Min(Math.Max(count, ChunkSize), Length - position);
        if (_buffer.Length < want)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _bufferLength = 0;
            _buffer = ArrayPool<byte>.Shared.Rent(want);
        }

        _bufferStart = position;
        _bufferLength = 0;
        int total = 0;
        while (total < want)
        {
            int read = RandomAccess.Read(_handle, _buffer.AsSpan(total, want - total), position + total);
            if (read <= 0)
            {
                break;
            }

            total += read;
        }

        _bufferLength = total;
        return total < count ? [] : _buffer.AsSpan(0, count);
    }

    /// <summary>
    /// Runs CRC-32C over [position, position + count) chunk by chunk, for batches too large to hold;
    /// null when the file ends first.
    /// </summary>
    public uint? ComputeCrc32C(long position, long count)
    {
        uint state = uint.MaxValue;
        while (count > 0)
        {
            int step = (int)Math.Min(count, ChunkSize);
            ReadOnlySpan<byte> chunk = Read(position, step);
            if (chunk.IsEmpty)
            {
                return null;
            }

            state = Protocol.Records.Crc32C.Append(state, chunk);
            position += step;
            count -= step;
        }

        return ~state;
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _handle.Dispose();
    }
}
