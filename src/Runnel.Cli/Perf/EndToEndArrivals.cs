using System.Buffers.Binary;
using System.Diagnostics;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Perf;

/// <summary>
/// What the consumer of a fixed-rate <c>runnel perf e2e</c> run does with each record that arrives,
/// whichever client read it: the value starts with the record's scheduled send time; a record
/// scheduled before <see cref="MeasuredFrom"/> (the warm-up) is only counted as arrived, every
/// later one has its latency (arrival minus schedule) recorded. Used from one consumer thread at a time.
/// </summary>
internal sealed class EndToEndArrivals(LatencyHistogram latencies, string topic) : IFetchedRecordSink
{
    private static readonly double s_microsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private long _window;

    /// <summary>The measured records' latencies in microseconds.</summary>
    public LatencyHistogram Latencies { get; } = latencies;

    /// <summary>The Stopwatch timestamp of the first measured record's schedule (set when the run starts); earlier records are the warm-up.</summary>
    public long MeasuredFrom { get; set; }

    /// <summary>Warm-up records that arrived.</summary>
    public long WarmupArrived { get; private set; }

    /// <summary>Every record that arrived, warm-up or measured.</summary>
    public long Arrived => WarmupArrived + Latencies.Count;

    /// <summary>When the last record arrived (Stopwatch ticks); set to the run's start before the first.</summary>
    public long LastReceived { get; set; }

    /// <summary>Measured records since the last call.</summary>
    public long TakeWindow()
    {
        long window = _window;
        _window = 0;
        return window;
    }

    /// <summary>A record arrived at <paramref name="now"/>; false (and nothing counted) when its value carries no send time.</summary>
    public bool TryArrive(long now, ReadOnlySpan<byte> value)
    {
        if (value.Length < EndToEndLatency.TimestampBytes)
        {
            return false;
        }

        long scheduled = BinaryPrimitives.ReadInt64LittleEndian(value);
        LastReceived = now;
        if (scheduled < MeasuredFrom)
        {
            WarmupArrived++;
            return true;
        }

        Latencies.Record((long)((now - scheduled) * s_microsPerTick));
        _window++;
        return true;
    }

    /// <summary>The error for a record without a send time at <paramref name="where"/>.</summary>
    public ToolException NoSendTime(string where) =>
        new($"Error: a record at {where} carries no send time: is another producer writing to {topic}?");

    /// <summary>The wire consumer's records, timed as its fetch response is walked.</summary>
    public void Deliver(long offset, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (!TryArrive(Stopwatch.GetTimestamp(), value))
        {
            throw NoSendTime($"offset {offset}");
        }
    }
}
