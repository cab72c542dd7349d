namespace Runnel.Broker.Metrics;

/// <summary>One histogram series: a count per bucket and the sum of the values, updated lock-free from any thread.</summary>
internal sealed class HistogramSeries
{
    private long[]? _buckets;
    private double _sum;

    /// <summary>Measurements so far (the buckets' total).</summary>
    public long Count
    {
        get
        {
            long[]? buckets = Volatile.Read(ref _buckets);
            long count = 0;
            if (buckets is not null)
            {
                for (int i = 0; i < buckets.Length; i++)
                {
                    count += Interlocked.Read(ref buckets[i]);
                }
            }

            return count;
        }
    }

    public double Sum => Volatile.Read(ref _sum);

    /// <summary>Counts a value in <paramref name="bucket"/> (of <paramref name="bucketCount"/>, the last one +Inf).</summary>
    public void Record(int bucket, int bucketCount, double value)
    {
        long[] buckets = Volatile.Read(ref _buckets) ?? Allocate(bucketCount);
        Interlocked.Increment(ref buckets[bucket]);
        AtomicDouble.Add(ref _sum, value);
    }

    public long BucketCount(int bucket)
    {
        long[]? buckets = Volatile.Read(ref _buckets);
        return buckets is null ? 0 : Interlocked.Read(ref buckets[bucket]);
    }

    private long[] Allocate(int bucketCount)
    {
        Interlocked.CompareExchange(ref _buckets, new long[bucketCount], null);
        return _buckets!;
    }
}
