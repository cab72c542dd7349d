using System.Globalization;
using Runnel.Storage.Checkpoints;

namespace Runnel.Cli.DumpLog;

/// <summary>File-name rules shared by the dumpers.</summary>
internal static class DumpFileNames
{
    // Files the broker renames before removing them (segment.md "Deleting segments", checkpoints'
    // atomic write) keep their original layout, so they are dumped as what they were.
    private static readonly string[] s_leftoverSuffixes = [".deleted", ".cleaned", ".swap", ".tmp"];

    public static DumpFileKind Classify(string path)
    {
        string name = StripLeftoverSuffix(Path.GetFileName(path));
        if (name is OffsetCheckpointFile.RecoveryPointFileName or OffsetCheckpointFile.LogStartOffsetFileName)
        {
            return DumpFileKind.OffsetCheckpoint;
        }

        if (name == CleanShutdownMarker.FileName)
        {
            return DumpFileKind.CleanShutdownMarker;
        }

        return Path.GetExtension(name) switch
        {
            ".log" => DumpFileKind.Log,
            ".index" => DumpFileKind.OffsetIndex,
            ".timeindex" => DumpFileKind.TimeIndex,
            ".txnindex" => DumpFileKind.TransactionIndex,
            _ => DumpFileKind.Unknown,
        };
    }

    /// <summary>The base offset a segment file's name carries (the digits before the first '.').</summary>
    public static bool TryParseBaseOffset(string path, out long baseOffset)
    {
        string name = Path.GetFileName(path);
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return long.TryParse(dot < 0 ? name : name[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    /// <summary>The <c>.log</c> next to an index file, with the same base-offset name.</summary>
    public static string SiblingLog(string indexPath)
    {
        string name = Path.GetFileName(indexPath);
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return Path.Combine(Path.GetDirectoryName(indexPath) ?? string.Empty, (dot < 0 ? name : name[..dot]) + ".log");
    }

    private static string StripLeftoverSuffix(string name)
    {
        foreach (string suffix in s_leftoverSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }
}
