using Microsoft.Win32.SafeHandles;

namespace Runnel.Storage.IO;

/// <summary>A real file: <see cref="RandomAccess"/> over a <see cref="SafeFileHandle"/>.</summary>
internal sealed class PhysicalStorageFile(SafeFileHandle handle, string path) : IStorageFile
{
    public string Path { get; } = path;

    public long Length => RandomAccess.GetLength(handle);

    public int Read(Span<byte> buffer, long position) => RandomAccess.Read(handle, buffer, position);

    public void Write(ReadOnlySpan<byte> data, long position) => RandomAccess.Write(handle, data, position);

    public void Flush() => RandomAccess.FlushToDisk(handle);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        // fsync has no asynchronous form on Linux; run it on the thread pool so the caller's thread
        // (often a request's continuation) is not blocked for the device's latency.
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return new ValueTask(Task.Run(Flush, cancellationToken));
    }

    public void SetLength(long length) => RandomAccess.SetLength(handle, length);

    public void Dispose() => handle.Dispose();

    public override string ToString() => Path;
}
