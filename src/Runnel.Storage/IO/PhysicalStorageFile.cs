using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Runnel.Storage.IO;

/// <summary>A real file: <see cref="RandomAccess"/> over a <see cref="SafeFileHandle"/>.</summary>
internal sealed class PhysicalStorageFile(SafeFileHandle handle, string path) : IStorageFile
{
    public string Path { get; } = path;

    public long Length => RandomAccess.GetLength(handle);

    public int Read(Span<byte> buffer, long position) => RandomAccess.Read(handle, buffer, position);

    public void Write(ReadOnlySpan<byte> data, long position) => RandomAccess.Write(handle, data, position);

    /// <summary>
    /// <c>fdatasync</c> on Linux: the data and what reading it back needs (size, block allocation),
    /// not timestamps. <see cref="RandomAccess.FlushToDisk"/> is <c>fsync</c>, which also writes the
    /// inode for its new mtime after every write and so commits the file-system journal on each
    /// flush, even when appends only overwrite blocks already allocated (<c>preallocate</c>).
    /// Elsewhere <see cref="RandomAccess.FlushToDisk"/>.
    /// </summary>
    public void Flush()
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            int result;
            int errno;
            do
            {
                result = LibC.Fdatasync(fd);
                errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
            }
            while (errno == LibC.EINTR);

            if (result != 0)
            {
                throw new IOException($"fdatasync of {Path} failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).", errno);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

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
