namespace Runnel.Cli.Groups;

/// <summary>Where <c>groups reset-offsets</c> moves a group's offsets (kafka-consumer-groups.sh's reset scenarios).</summary>
internal enum OffsetResetKind
{
    /// <summary><c>--to-earliest</c>: the log start offset.</summary>
    ToEarliest,

    /// <summary><c>--to-latest</c>: the log end offset.</summary>
    ToLatest,

    /// <summary><c>--to-current</c>: the committed offset, or the log end offset where nothing is committed.</summary>
    ToCurrent,

    /// <summary><c>--to-offset N</c>: N, clamped to the log.</summary>
    ToOffset,

    /// <summary><c>--shift-by N</c>: the committed offset plus N (N may be negative), clamped to the log.</summary>
    ShiftBy,

    /// <summary><c>--to-datetime</c> and <c>--by-duration</c>: the first offset whose timestamp is at or after a time.</summary>
    ToTimestamp,
}
