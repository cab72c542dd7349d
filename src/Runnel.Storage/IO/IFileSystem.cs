namespace Runnel.Storage.IO;

/// <summary>
/// The thin file-system seam every storage component goes through, so tests can inject torn writes,
/// failed fsyncs, a full disk or a crash (Runnel.TestKit's <c>FaultyFileSystem</c>). Production uses
/// <see cref="PhysicalFileSystem"/>.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe. Paths are absolute or relative to the process; names are
/// never interpreted beyond what <see cref="Path"/> does. Metadata changes (create, rename, delete)
/// are only durable after <see cref="SyncDirectory"/> on the parent directory.
/// </remarks>
public interface IFileSystem
{
    /// <summary>Opens or creates a file for positional I/O. The caller disposes the returned file.</summary>
    IStorageFile OpenFile(string path, FileMode mode, FileAccess access = FileAccess.ReadWrite);

    bool FileExists(string path);

    bool DirectoryExists(string path);

    /// <summary>Deletes a file; no error when it does not exist.</summary>
    void DeleteFile(string path);

    /// <summary>Renames a file atomically (rename(2) within one file system), replacing the destination if <paramref name="overwrite"/>.</summary>
    void MoveFile(string source, string destination, bool overwrite);

    /// <summary>Renames a directory atomically within one file system.</summary>
    void MoveDirectory(string source, string destination);

    /// <summary>Full paths of the files directly inside <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Full paths of the directories directly inside <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListDirectories(string directory);

    /// <summary>Creates a directory and any missing parents.</summary>
    void CreateDirectory(string path);

    /// <summary>Deletes a directory; with <paramref name="recursive"/> also its contents. No error when it does not exist.</summary>
    void DeleteDirectory(string path, bool recursive);

    /// <summary>
    /// Makes the directory's entries (files created, renamed or deleted in it) durable: fsync on the
    /// directory itself on POSIX systems.
    /// </summary>
    void SyncDirectory(string path);
}
