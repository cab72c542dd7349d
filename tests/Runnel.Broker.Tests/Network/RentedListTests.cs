using Runnel.Broker.Handlers;

namespace Runnel.Broker.Tests.Network;

public class RentedListTests
{
    [Fact]
    public void Grows_past_its_first_array_and_keeps_every_item_in_order()
    {
        using var list = new RentedList<(string Name, int Value)>(2);
        for (var i = 0; i < 100; i++)
        {
            list.Add(($"p{i}", i));
        }

        Assert.Equal(100, list.Count);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(($"p{i}", i), list[i]);
        }

        list[5].Value = 500;
        Assert.Equal(500, list.AsSpan()[5].Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[100]);
    }

    [Fact]
    public void Dispose_empties_the_list()
    {
        var list = new RentedList<string>(4);
        list.Add("a");
        list.Dispose();

        Assert.Equal(0, list.Count);
        Assert.True(list.AsSpan().IsEmpty);
    }

    [Fact]
    public void A_disposed_list_fills_again_from_empty_and_from_a_reserved_size()
    {
        var list = new RentedList<int>();
        Assert.Equal(0, list.Count);
        for (var round = 0; round < 3; round++)
        {
            list.Reserve(round * 10);
            for (var i = 0; i < 20 + round; i++)
            {
                list.Add(i * round);
            }

            Assert.Equal(20 + round, list.Count);
            Assert.Equal(Enumerable.Range(0, 20 + round).Select(i => i * round), list.AsSpan().ToArray());
            list.Dispose();
            Assert.Equal(0, list.Count);
        }
    }
}
