using System.Globalization;

namespace Runnel.Cli.DumpLog;

/// <summary>
/// What dump-log found wrong, printed to stderr after every file was dumped, in the shape of
/// kafka-dump-log's closing reports (<c>Mismatches in :path</c>, <c>Non-consecutive offsets in path</c>,
/// ...), plus Runnel's <c>Corruption in path</c> group for bad CRCs, torn tails and bad headers.
/// </summary>
/// <remarks>
/// Memory is bounded: each group keeps its first <see cref="MaxLinesPerGroup"/> lines and counts the
/// rest, so a badly damaged multi-GB segment cannot fill the heap with reports.
/// </remarks>
internal sealed class DumpFindings
{
    public const int MaxLinesPerGroup = 1000;

    private readonly List<Group> _groups = [];

    /// <summary>True once anything other than an offset gap was found (the exit code reports it).</summary>
    public bool HasProblems { get; private set; }

    /// <summary>A damaged file or batch: bad CRC, torn or garbled tail, bad header, unreadable records.</summary>
    public void Corruption(string path, long position, string reason) =>
        Add($"Corruption in {path}", string.Create(CultureInfo.InvariantCulture, $"  position {position}: {reason}"), problem: true);

    /// <summary>A file-level problem that has no position (missing header, unreadable checkpoint).</summary>
    public void Corruption(string path, string reason) =>
        Add($"Corruption in {path}", "  " + reason, problem: true);

    /// <summary>Kafka's report for record offsets that skip (compaction makes these legitimately).</summary>
    public void NonConsecutive(string path, long previous, long next) =>
        Add($"Non-consecutive offsets in {path}", string.Create(CultureInfo.InvariantCulture, $"  {previous} is followed by {next}"), problem: false);

    /// <summary>An offset index entry whose position does not hold a batch with that base offset.</summary>
    public void IndexMismatch(string path, long indexOffset, long logOffset) =>
        Add($"Mismatches in :{path}", string.Create(CultureInfo.InvariantCulture, $"  Index offset: {indexOffset}, log offset: {logOffset}"), problem: true);

    /// <summary>A time index entry whose batch has another max timestamp.</summary>
    public void TimestampMismatch(string path, long indexTimestamp, long logTimestamp) =>
        Add($"Found timestamp mismatch in :{path}", string.Create(CultureInfo.InvariantCulture, $"  Index timestamp: {indexTimestamp}, log timestamp: {logTimestamp}"), problem: true);

    /// <summary>A time index entry not above the one before it.</summary>
    public void OutOfOrderTimestamp(string path, long indexTimestamp, long previousTimestamp) =>
        Add($"Found out of order timestamp in :{path}", string.Create(CultureInfo.InvariantCulture, $"  Index timestamp: {indexTimestamp}, Previously indexed timestamp: {previousTimestamp}"), problem: true);

    /// <summary>A time index entry whose offset is not the base offset of a batch in the log (-1: past the end).</summary>
    public void IndexedOffsetNotFound(string path, long indexOffset, long logOffset) =>
        Add($"The following indexed offsets are not found in the log of {path}", string.Create(CultureInfo.InvariantCulture, $"  Indexed offset: {indexOffset}, found log offset: {logOffset}"), problem: true);

    /// <summary>An aborted-transaction entry whose last offset is not an ABORT marker of its producer in the segment.</summary>
    public void AbortMarkerNotFound(string path, long producerId, long lastOffset) =>
        Add($"The following aborted transactions have no ABORT marker in the log of {path}", string.Create(CultureInfo.InvariantCulture, $"  producerId: {producerId}, lastOffset: {lastOffset}"), problem: true);

    public void WriteTo(TextWriter error)
    {
        foreach (Group group in _groups)
        {
            error.WriteLine(group.Title);
            foreach (string line in group.Lines)
            {
                error.WriteLine(line);
            }

            if (group.Omitted > 0)
            {
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ... and {group.Omitted} more"));
            }
        }
    }

    private void Add(string title, string line, bool problem)
    {
        HasProblems |= problem;
        Group? group = null;

        // Few groups exist (a handful per file), and the last one is almost always the one wanted.
        for (int i = _groups.Count - 1; i >= 0; i--)
        {
            if (_groups[i].Title == title)
            {
                group = _groups[i];
                break;
            }
        }

        if (group is null)
        {
            group = new Group(title);
            _groups.Add(group);
        }

        if (group.Lines.Count < MaxLinesPerGroup)
        {
            group.Lines.Add(line);
        }
        else
        {
            group.Omitted++;
        }
    }

    private sealed class Group(string title)
    {
        public string Title { get; } = title;

        public List<string> Lines { get; } = [];

        public long Omitted { get; set; }
    }
}
