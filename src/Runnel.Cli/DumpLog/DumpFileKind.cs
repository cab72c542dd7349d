namespace Runnel.Cli.DumpLog;

/// <summary>The kinds of file <c>runnel dump-log</c> reads, told apart by name as the broker names them.</summary>
internal enum DumpFileKind
{
    Unknown,

    /// <summary><c>&lt;baseOffset:D20&gt;.log</c>: a segment (docs/formats/segment.md).</summary>
    Log,

    /// <summary><c>.index</c>: offset index (docs/formats/index.md).</summary>
    OffsetIndex,

    /// <summary><c>.timeindex</c>: time index (docs/formats/index.md).</summary>
    TimeIndex,

    /// <summary><c>.txnindex</c>: aborted transactions (docs/formats/txn-index.md).</summary>
    TransactionIndex,

    /// <summary><c>recovery-point-offset-checkpoint</c> or <c>log-start-offset-checkpoint</c> (docs/formats/checkpoints.md).</summary>
    OffsetCheckpoint,

    /// <summary><c>.runnel_cleanshutdown</c> (docs/formats/checkpoints.md).</summary>
    CleanShutdownMarker,
}
