using System.Text;
using Runnel.Storage.IO;

namespace Runnel.Storage.Checkpoints;

/// <summary>
/// <c>.runnel_cleanshutdown</c> in a log directory: written (durably) after every log in the
/// directory was flushed and closed; deleted at startup once the logs are loaded. If it is present
/// at startup, recovery is skipped (Kafka's <c>.kafka_cleanshutdown</c>). Only its existence matters;
/// the content (a version line) is for humans and future formats.
/// </summary>
public static class CleanShutdownMarker
{
    public const string FileName = ".runnel_cleanshutdown";

    public static bool Exists(IFileSystem fs, string logDirectory) => fs.FileExists(Path.Combine(logDirectory, FileName));

    public static void Write(IFileSystem fs, string logDirectory)
    {
        var path = Path.Combine(logDirectory, FileName);
        using (var file = fs.OpenFile(path, FileMode.Create))
        {
            file.Write(Encoding.UTF8.GetBytes("runnel-clean-shutdown\nversion 1\n"), 0);
            file.Flush();
        }

        fs.SyncDirectory(logDirectory);
    }

    public static void Delete(IFileSystem fs, string logDirectory)
    {
        fs.DeleteFile(Path.Combine(logDirectory, FileName));
        fs.SyncDirectory(logDirectory);
    }
}
