using System.Diagnostics;

namespace Runnel.Cli.Perf;

/// <summary>
/// When each record of a fixed-rate run is due: record i at <c>Start + i / rate</c>, in Stopwatch
/// ticks. Every sender of <c>runnel perf e2e</c> computes the time it writes into a record's value
/// here, so all measure from the same schedule.
/// </summary>
/// <param name="Start">The Stopwatch timestamp of record 0.</param>
/// <param name="TicksPerRecord">Stopwatch ticks between two records.</param>
/// <param name="Records">How many records the run sends.</param>
internal readonly record struct FixedRateSchedule(long Start, double TicksPerRecord, long Records)
{
    public static FixedRateSchedule At(long start, double recordsPerSecond, long records) =>
        new(start, Stopwatch.Frequency / recordsPerSecond, records);

    /// <summary>The Stopwatch timestamp at which <paramref name="record"/> is due.</summary>
    public long ScheduledAt(long record) => Start + (long)(record * TicksPerRecord);
}
