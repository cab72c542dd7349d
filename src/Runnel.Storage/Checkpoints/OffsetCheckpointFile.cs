using System.Globalization;
using System.Text;
using Runnel.Storage.IO;
using Runnel.Storage.Log;

namespace Runnel.Storage.Checkpoints;

/// <summary>
/// Reads and writes a per-log-directory offset checkpoint (<c>recovery-point-offset-checkpoint</c>,
/// <c>log-start-offset-checkpoint</c>): a small versioned text file, one line per partition (format
/// in docs/formats/checkpoints.md). Written atomically: temp file, fsync, rename over the old one,
/// fsync the directory; so a crash leaves either the old or the new file, never a torn one.
/// </summary>
public static class OffsetCheckpointFile
{
    public const string RecoveryPointFileName = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetFileName = "log-start-offset-checkpoint";

    /// <summary>First line of every checkpoint file.</summary>
    public const string Magic = "runnel-offset-checkpoint";

    /// <summary>The format this code writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Oldest reader that can read what this code writes.</summary>
    public const int CurrentMinCompatibleVersion = 1;

    public const string TempSuffix = ".tmp";

    /// <summary>Writes <paramref name="offsets"/> to <paramref name="path"/> atomically and durably.</summary>
    public static void Write(IFileSystem fs, string path, IEnumerable<KeyValuePair<TopicPartition, long>> offsets)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(offsets);
        var entries = offsets.OrderBy(e => e.Key.Topic, StringComparer.Ordinal).ThenBy(e => e.Key.Partition).ToList();
        var text = new StringBuilder();
        text.Append(Magic).Append('\n');
        text.Append("version ").Append(CurrentVersion).Append('\n');
        text.Append("min-compatible-version ").Append(CurrentMinCompatibleVersion).Append('\n');
        text.Append("entries ").Append(entries.Count).Append('\n');
        foreach (var (tp, offset) in entries)
        {
            // Kafka topic names are [a-zA-Z0-9._-]+, so a space cannot appear inside one.
            text.Append(tp.Topic).Append(' ').Append(tp.Partition).Append(' ').Append(offset).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var temp = path + TempSuffix;
        using (var file = fs.OpenFile(temp, FileMode.Create))
        {
            file.Write(bytes, 0);
            file.Flush();
        }

        fs.MoveFile(temp, path, overwrite: true);
        fs.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Reads a checkpoint; null when the file does not exist. Throws <see cref="InvalidDataException"/>
    /// when it is malformed or from a version this code cannot read.
    /// </summary>
    public static Dictionary<TopicPartition, long>? Read(IFileSystem fs, string path)
    {
        ArgumentNullException.ThrowIfNull(fs);
        if (!fs.FileExists(path))
        {
            return null;
        }

        string text;
        using (var file = fs.OpenFile(path, FileMode.Open, FileAccess.Read))
        {
            var length = file.Length;
            if (length > 256L * 1024 * 1024)
            {
                throw new InvalidDataException($"{path}: {length} bytes is too large for a checkpoint file.");
            }

            var bytes = new byte[length];
            file.ReadExactly(bytes, 0);
            text = Encoding.UTF8.GetString(bytes);
        }

        var lines = text.Split('\n');
        var line = 0;
        string Next() => line < lines.Length ? lines[line++] : throw new InvalidDataException($"{path}: ends after {line} lines.");
        if (Next() != Magic)
        {
            throw new InvalidDataException($"{path}: the first line is not '{Magic}'.");
        }

        var version = ParseField(path, Next(), "version");
        var minCompatible = ParseField(path, Next(), "min-compatible-version");
        if (minCompatible > CurrentVersion || version < 1)
        {
            throw new InvalidDataException($"{path}: version {version} (min compatible {minCompatible}) cannot be read by version {CurrentVersion}.");
        }

        var count = ParseField(path, Next(), "entries");
        var result = new Dictionary<TopicPartition, long>((int)Math.Min(count, 100_000));
        for (var i = 0; i < count; i++)
        {
            var parts = Next().Split(' ');
            if (parts.Length != 3
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset)
                || parts[0].Length == 0)
            {
                throw new InvalidDataException($"{path}: line {line} is not '<topic> <partition> <offset>'.");
            }

            result[new TopicPartition(parts[0], partition)] = offset;
        }

        // Later versions may append lines; a version-1 reader stops here.
        return result;
    }

    private static long ParseField(string path, string line, string name)
    {
        var prefix = name + " ";
        if (!line.StartsWith(prefix, StringComparison.Ordinal)
            || !long.TryParse(line.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new InvalidDataException($"{path}: expected '{name} <number>', found '{line}'.");
        }

        return value;
    }
}
