using Runnel.PeerBench.Results;

namespace Runnel.PeerBench.Tests;

public sealed class StatTests
{
    [Fact]
    public void Median_of_three_is_the_middle_value_whatever_the_order()
    {
        var stat = Stat.Of([300, 100, 200])!.Value;

        Assert.Equal(200, stat.Median);
        Assert.Equal(3, stat.Count);
    }

    [Fact]
    public void Range_is_the_smallest_and_largest_value()
    {
        var stat = Stat.Of([5, 1, 9])!.Value;

        Assert.Equal(1, stat.Min);
        Assert.Equal(9, stat.Max);
    }

    [Fact]
    public void Median_of_an_even_count_averages_the_middle_two()
    {
        Assert.Equal(2.5, Stat.Of([4, 1, 2, 3])!.Value.Median);
    }

    [Fact]
    public void No_values_give_no_stat()
    {
        Assert.Null(Stat.Of([]));
    }
}
