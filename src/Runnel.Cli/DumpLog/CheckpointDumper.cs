using System.Globalization;
using System.Text;
using Runnel.Storage.Checkpoints;

namespace Runnel.Cli.DumpLog;

/// <summary>
/// Dumps Runnel's per-log-directory files (docs/formats/checkpoints.md): an offset checkpoint
/// (<c>recovery-point-offset-checkpoint</c>, <c>log-start-offset-checkpoint</c>) prints its header
/// and one <c>topic: T partition: P offset: O</c> line per entry; the clean-shutdown marker prints
/// its version. Kafka's tool has no such files to dump; the lines follow its <c>name: value</c> style.
/// </summary>
/// <remarks>
/// Reads line by line, so entries are never all in memory, and reports what the broker would reject
/// (wrong magic, unreadable version, fewer entry lines than declared, a malformed entry) instead of
/// stopping at the first error: every well-formed entry is still printed.
/// </remarks>
internal static class CheckpointDumper
{
    /// <summary>The longest line read; checkpoint lines are a topic name (≤ 249) and two numbers.</summary>
    private const int MaxLineLength = 1024;

    public static void DumpOffsetCheckpoint(string path, DumpWriter output, DumpFindings findings)
    {
        using StreamReader reader = new(File.Open(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false));
        long lineNumber = 0;
        string? Next()
        {
            lineNumber++;
            return ReadBoundedLine(reader);
        }

        if (Next() is not { } magic || magic != OffsetCheckpointFile.Magic)
        {
            findings.Corruption(path, $"line 1 is not '{OffsetCheckpointFile.Magic}'");
            return;
        }

        if (!TryParseField(Next(), "version", out long version)
            || !TryParseField(Next(), "min-compatible-version", out long minCompatible)
            || !TryParseField(Next(), "entries", out long entries))
        {
            findings.Corruption(path, "lines 2-4 are not 'version <n>', 'min-compatible-version <n>' and 'entries <n>'");
            return;
        }

        output.Text("Checkpoint version: ").Number(version)
            .Text(" min-compatible-version: ").Number(minCompatible)
            .Text(" entries: ").Number(entries)
            .EndLine();
        if (minCompatible > OffsetCheckpointFile.CurrentVersion || version < 1)
        {
            findings.Corruption(path, $"version {version} (min compatible {minCompatible}) cannot be read by version {OffsetCheckpointFile.CurrentVersion}");
            return;
        }

        for (long i = 0; i < entries; i++)
        {
            string? line = Next();
            if (line is null)
            {
                findings.Corruption(path, $"the file ends after {i} of {entries} entries");
                return;
            }

            if (!TryParseEntry(line, out string? topic, out int partition, out long offset))
            {
                findings.Corruption(path, $"line {lineNumber} is not '<topic> <partition> <offset>'");
                continue;
            }

            output.Text("topic: ").Text(topic!).Text(" partition: ").Number(partition).Text(" offset: ").Number(offset).EndLine();
        }
    }

    public static void DumpCleanShutdownMarker(string path, DumpWriter output, DumpFindings findings)
    {
        using StreamReader reader = new(File.Open(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false));
        string? magic = ReadBoundedLine(reader);
        string? versionLine = ReadBoundedLine(reader);

        // Only the marker's existence matters to the broker; its content is for people.
        if (magic == "runnel-clean-shutdown" && TryParseField(versionLine, "version", out long version))
        {
            output.Text("Clean shutdown marker version: ").Number(version).EndLine();
        }
        else
        {
            output.Line("Clean shutdown marker (unrecognised content; only its presence matters)");
        }
    }

    private static bool TryParseField(string? line, string name, out long value)
    {
        value = 0;
        return line is not null
            && line.Length > name.Length
            && line.StartsWith(name, StringComparison.Ordinal)
            && line[name.Length] == ' '
            && long.TryParse(line.AsSpan(name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseEntry(string line, out string? topic, out int partition, out long offset)
    {
        topic = null;
        partition = 0;
        offset = 0;
        int first = line.IndexOf(' ', StringComparison.Ordinal);
        int second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
        if (first <= 0 || second < 0 || line.IndexOf(' ', second + 1) >= 0)
        {
            return false;
        }

        topic = line[..first];
        return int.TryParse(line.AsSpan(first + 1, second - first - 1), NumberStyles.None, CultureInfo.InvariantCulture, out partition)
            && long.TryParse(line.AsSpan(second + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out offset);
    }

    /// <summary>A line without its '\n', cut at <see cref="MaxLineLength"/> characters (the rest is skipped); null at the end.</summary>
    private static string? ReadBoundedLine(StreamReader reader)
    {
        if (reader.Peek() < 0)
        {
            return null;
        }

        StringBuilder line = new();
        int c;
        while ((c = reader.Read()) >= 0 && c != '\n')
        {
            if (line.Length < MaxLineLength)
            {
                line.Append((char)c);
            }
        }

        return line.ToString();
    }
}
