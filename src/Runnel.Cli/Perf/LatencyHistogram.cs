using System.Numerics;

namespace Runnel.Cli.Perf;

/// <summary>
/// A log-linear histogram of non-negative values (latencies in microseconds), in the spirit of
/// HdrHistogram: values below 256 are counted exactly; above, each power of two is split into 128
/// equal buckets, so a reported value is within 1/128 (under 0.8%) of the recorded one. Recording is
/// an index computation and an increment: no allocation. Count, sum, min and max are exact.
/// </summary>
/// <remarks>
/// Not thread-safe: the perf producer records under its stats lock.
/// Bucket index of v: with s = max(0, msb(v) - 7), index = s * 128 + (v >> s); every index below
/// 256 is v itself, and bucket [k*128 + m] (k ≥ 1, m in [128, 256)) covers [m &lt;&lt; k, (m+1) &lt;&lt; k).
/// </remarks>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;

    // msb(long.MaxValue) = 62, so the largest index is (62 - 7) * 128 + 255.
    private const int BucketCount = ((62 - SubBucketBits) * SubBucketCount) + (2 * SubBucketCount);

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public long Sum { get; private set; }

    public long Min { get; private set; } = long.MaxValue;

    public long Max { get; private set; }

    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    public void Record(long value) => Record(value, 1);

    /// <summary>Records <paramref name="count"/> occurrences of <paramref name="value"/> (a batch of records with one latency).</summary>
    public void Record(long value, long count)
    {
        if (value < 0)
        {
            value = 0;
        }

        _counts[IndexOf(value)] += count;
        Count += count;
        Sum += value * count;
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }
    }

    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        Sum = 0;
        Min = long.MaxValue;
        Max = 0;
    }

    /// <summary>
    /// The value at quantile <paramref name="quantile"/> (0.5, 0.99, 0.999), chosen as Kafka's
    /// ProducerPerformance does from its sorted samples: the element at index ⌊q·n⌋ (0-based), i.e.
    /// the (⌊q·n⌋+1)-th smallest, capped at n. Reports the highest value of that element's bucket,
    /// never more than <see cref="Max"/>. Zero when empty.
    /// </summary>
    public long ValueAtQuantile(double quantile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Min(Count, (long)(Math.Clamp(quantile, 0, 1) * Count) + 1);
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(HighestValueIn(i), Max);
            }
        }

        return Max;
    }

    internal static int IndexOf(long value)
    {
        int shift = Math.Max(0, BitOperations.Log2((ulong)value) - SubBucketBits);
        return (shift << SubBucketBits) + (int)(value >> shift);
    }

    internal static long LowestValueIn(int index)
    {
        if (index < 2 * SubBucketCount)
        {
            return index;
        }

        int shift = (index >> SubBucketBits) - 1;
        return (long)(index - (shift << SubBucketBits)) << shift;
    }

    internal static long HighestValueIn(int index)
    {
        if (index < 2 * SubBucketCount)
        {
            return index;
        }

        int shift = (index >> SubBucketBits) - 1;
        return LowestValueIn(index) + (1L << shift) - 1;
    }
}
