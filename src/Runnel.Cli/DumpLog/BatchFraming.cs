namespace Runnel.Cli.DumpLog;

/// <summary>How <see cref="SegmentBatchWalker.Next"/> ended.</summary>
internal enum BatchFraming
{
    /// <summary>A batch header was read; the whole batch lies inside the file.</summary>
    Batch,

    /// <summary>The file (or the <c>--max-bytes</c> window) ends cleanly here.</summary>
    End,

    /// <summary>An incomplete last batch: a torn write (or zeros after a crash).</summary>
    TornTail,

    /// <summary>Bytes that cannot be a batch: bad length or magic. Nothing after them can be framed.</summary>
    Corrupt,
}
