using CsCheck;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Perf;

public class LatencyHistogramTests
{
    [Fact]
    public void An_empty_histogram_reports_zero()
    {
        LatencyHistogram histogram = new();
        Assert.Equal(0, histogram.ValueAtQuantile(0.99));
        Assert.Equal(0, histogram.Mean);
        Assert.Equal(0, histogram.Count);
    }

    [Fact]
    public void Values_below_256_are_exact()
    {
        LatencyHistogram histogram = new();
        for (int v = 0; v < 256; v++)
        {
            histogram.Record(v);
        }

        for (int v = 0; v < 256; v++)
        {
            // Rank ⌊q·n⌋+1 of 0..255 is the value ⌊q·256⌋.
            Assert.Equal(v, histogram.ValueAtQuantile(v / 256.0));
        }
    }

    [Fact]
    public void Quantiles_pick_the_element_kafka_picks_from_its_sorted_samples()
    {
        // Kafka: latencies[(int)(q * n)] of the sorted samples.
        long[] samples = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10];
        LatencyHistogram histogram = new();
        foreach (long sample in samples)
        {
            histogram.Record(sample);
        }

        long[] sorted = [.. samples.Order()];
        foreach (double q in new[] { 0.5, 0.95, 0.99, 0.999, 0.0, 1.0 })
        {
            Assert.Equal(sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))], histogram.ValueAtQuantile(q));
        }
    }

    [Fact]
    public void Recording_a_value_n_times_at_once_equals_recording_it_n_times()
    {
        LatencyHistogram once = new();
        LatencyHistogram each = new();
        once.Record(5_000, 3);
        once.Record(40, 2);
        for (int i = 0; i < 3; i++)
        {
            each.Record(5_000);
        }

        each.Record(40);
        each.Record(40);

        Assert.Equal((each.Count, each.Sum, each.Min, each.Max), (once.Count, once.Sum, once.Min, once.Max));
        Assert.Equal((5L, 15_080L), (once.Count, once.Sum));
        Assert.Equal(each.ValueAtQuantile(0.39), once.ValueAtQuantile(0.39));
        Assert.Equal(each.ValueAtQuantile(0.4), once.ValueAtQuantile(0.4));
        Assert.Equal(40, once.ValueAtQuantile(0.39));
        Assert.NotEqual(40, once.ValueAtQuantile(0.4));
    }

    [Fact]
    public void Count_sum_min_max_and_mean_are_exact()
    {
        LatencyHistogram histogram = new();
        histogram.Record(1_000);
        histogram.Record(3_000_000);
        histogram.Record(17);

        Assert.Equal(3, histogram.Count);
        Assert.Equal(3_001_017, histogram.Sum);
        Assert.Equal(17, histogram.Min);
        Assert.Equal(3_000_000, histogram.Max);
        Assert.Equal(3_001_017 / 3.0, histogram.Mean);
    }

    [Fact]
    public void The_top_quantile_never_exceeds_the_maximum()
    {
        LatencyHistogram histogram = new();
        histogram.Record(1_000_001);
        Assert.Equal(1_000_001, histogram.ValueAtQuantile(1.0));
    }

    [Fact]
    public void Negative_values_count_as_zero()
    {
        LatencyHistogram histogram = new();
        histogram.Record(-5);
        Assert.Equal(0, histogram.Max);
        Assert.Equal(0, histogram.ValueAtQuantile(0.5));
    }

    [Fact]
    public void Reset_forgets_everything()
    {
        LatencyHistogram histogram = new();
        histogram.Record(12_345);
        histogram.Reset();
        Assert.Equal(0, histogram.Count);
        Assert.Equal(0, histogram.ValueAtQuantile(0.5));
    }

    [Fact]
    public void Every_value_falls_in_its_bucket_and_buckets_are_under_one_percent_wide()
    {
        Gen.Long[0, long.MaxValue].Sample(value =>
        {
            int index = LatencyHistogram.IndexOf(value);
            long low = LatencyHistogram.LowestValueIn(index);
            long high = LatencyHistogram.HighestValueIn(index);
            Assert.InRange(value, low, high);
            Assert.True(high - low <= Math.Max(0, value / 128), $"bucket [{low}, {high}] for {value}");
        });
    }

    [Fact]
    public void Bucket_indexes_grow_with_the_value()
    {
        Gen.Long[0, long.MaxValue - 1].Sample(value =>
            Assert.True(LatencyHistogram.IndexOf(value) <= LatencyHistogram.IndexOf(value + 1)));
    }

    [Fact]
    public void Reported_quantiles_are_within_one_percent_of_the_sorted_sample()
    {
        Gen.Long[0, 60_000_000].Array[1, 300].Sample(samples =>
        {
            LatencyHistogram histogram = new();
            foreach (long sample in samples)
            {
                histogram.Record(sample);
            }

            long[] sorted = [.. samples.Order()];
            foreach (double q in new[] { 0.5, 0.95, 0.99, 0.999 })
            {
                long expected = sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
                long actual = histogram.ValueAtQuantile(q);
                Assert.InRange(actual, expected, expected + (expected / 128));
            }
        });
    }
}
