namespace Runnel.Storage.Log;

/// <summary>
/// An immutable, sorted snapshot of a log's segments. The log replaces the whole list (copy on
/// write, under its append lock) on roll, deletion and truncation, and readers use whatever list
/// they read without locking. Compaction swaps cleaned segments in the same way (<see cref="Replace"/>): build the new
/// segment, then publish one new list.
/// </summary>
internal sealed class SegmentList
{
    private readonly LogSegment[] _segments;

    public SegmentList(LogSegment[] segments)
    {
        _segments = segments;
    }

    public int Count => _segments.Length;

    public LogSegment this[int index] => _segments[index];

    public LogSegment Active => _segments[^1];

    public LogSegment First => _segments[0];

    public ReadOnlySpan<LogSegment> AsSpan() => _segments;

    /// <summary>Index of the last segment whose base offset is at or below <paramref name="offset"/>, or -1.</summary>
    public int Floor(long offset)
    {
        int lo = 0, hi = _segments.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            if (_segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    public SegmentList Add(LogSegment segment)
    {
        var next = new LogSegment[_segments.Length + 1];
        _segments.CopyTo(next, 0);
        next[^1] = segment;
        return new SegmentList(next);
    }

    /// <summary>The list without its first <paramref name="count"/> segments.</summary>
    public SegmentList RemoveFirst(int count) => new(_segments[count..]);

    /// <summary>The list with the <paramref name="count"/> segments from <paramref name="index"/> replaced by <paramref name="replacement"/> (compaction).</summary>
    public SegmentList Replace(int index, int count, LogSegment replacement)
    {
        var next = new LogSegment[_segments.Length - count + 1];
        _segments.AsSpan(0, index).CopyTo(next);
        next[index] = replacement;
        _segments.AsSpan(index + count).CopyTo(next.AsSpan(index + 1));
        return new SegmentList(next);
    }

    /// <summary>The first <paramref name="count"/> segments.</summary>
    public SegmentList Take(int count) => new(_segments[..count]);

    public long TotalSize()
    {
        long total = 0;
        foreach (var segment in _segments)
        {
            total += segment.Size;
        }

        return total;
    }
}
