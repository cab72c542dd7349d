using System.Runtime.InteropServices;

namespace Runnel.Storage.IO;

/// <summary>
/// The production file system: <see cref="File.OpenHandle"/> + <see cref="RandomAccess"/> for data,
/// <c>fdatasync(2)</c> to flush a file on Linux, and <c>open(2)</c> + <c>fsync(2)</c> for directories.
/// </summary>
/// <remarks>
/// Directory fsync: .NET refuses to open a directory as a file (<see cref="File.OpenHandle"/> fails
/// with <see cref="UnauthorizedAccessException"/> on Linux after its fstat check), so on Linux and
/// macOS we call libc directly: <c>open(path, O_RDONLY)</c>, <c>fsync(fd)</c>, <c>close(fd)</c>.
/// <c>O_RDONLY</c> alone opens a directory on every POSIX system; we leave out <c>O_DIRECTORY</c>
/// because its value differs between architectures (0x10000 on x86-64, 0x4000 on arm64). On Windows
/// it is a no-op: NTFS journals directory metadata, and FlushFileBuffers on a directory needs
/// backup-semantics handles that a broker process normally lacks.
/// </remarks>
public sealed partial class PhysicalFileSystem : IFileSystem
{
    public static PhysicalFileSystem Instance { get; } = new();

    public IStorageFile OpenFile(string path, FileMode mode, FileAccess access = FileAccess.ReadWrite)
    {
        // FileShare.Delete lets retention rename a segment that a reader still has open (Windows).
        var handle = File.OpenHandle(path, mode, access, FileShare.ReadWrite | FileShare.Delete);
        return new PhysicalStorageFile(handle, path);
    }

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void DeleteFile(string path) => File.Delete(path);

    public void MoveFile(string source, string destination, bool overwrite) => File.Move(source, destination, overwrite);

    public void MoveDirectory(string source, string destination) => Directory.Move(source, destination);

    public IReadOnlyList<string> ListFiles(string directory) => Directory.GetFiles(directory);

    public IReadOnlyList<string> ListDirectories(string directory) => Directory.GetDirectories(directory);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public void DeleteDirectory(string path, bool recursive)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive);
        }
    }

    public void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = LibC.Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"open({path}) for directory fsync failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
        }

        try
        {
            if (LibC.Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fsync of directory {path} failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }
}
