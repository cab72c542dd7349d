using System.Text;
using Runnel.Storage.Cleaner;

namespace Runnel.Storage.Tests.Cleaner;

public sealed class OffsetMapTests
{
    private static byte[] Key(string key) => Encoding.UTF8.GetBytes(key);

    [Fact]
    public void Capacity_is_the_byte_budget_in_24_byte_slots_times_the_load_factor()
    {
        var map = new OffsetMap(1000 * OffsetMap.SlotSize, 0.9);

        Assert.Equal(1000, map.Slots);
        Assert.Equal(900, map.MaxEntries);
    }

    [Fact]
    public void Get_returns_the_latest_offset_put_for_a_key_and_minus_one_for_an_unknown_key()
    {
        var map = new OffsetMap(64 * OffsetMap.SlotSize, 0.9);

        Assert.True(map.TryPut(Key("a"), 3));
        Assert.True(map.TryPut(Key("b"), 4));
        Assert.True(map.TryPut(Key("a"), 7));

        Assert.Equal(7, map.Get(Key("a")));
        Assert.Equal(4, map.Get(Key("b")));
        Assert.Equal(-1, map.Get(Key("c")));
        Assert.Equal(0, map.Get(ReadOnlySpan<byte>.Empty) + 1);
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public void A_full_map_refuses_new_keys_but_still_moves_known_keys_forward()
    {
        var map = new OffsetMap(4 * OffsetMap.SlotSize, 0.9);
        Assert.Equal(3, map.MaxEntries);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(map.TryPut(Key($"k{i}"), i));
        }

        Assert.True(map.IsFull);
        Assert.False(map.TryPut(Key("new"), 10));
        Assert.Equal(-1, map.Get(Key("new")));
        Assert.True(map.TryPut(Key("k1"), 11));
        Assert.Equal(11, map.Get(Key("k1")));
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void A_map_with_load_factor_one_fills_every_slot_and_still_answers_unknown_keys()
    {
        var map = new OffsetMap(8 * OffsetMap.SlotSize, 1.0);
        for (var i = 0; i < 8; i++)
        {
            Assert.True(map.TryPut(Key($"k{i}"), i));
        }

        Assert.False(map.TryPut(Key("k8"), 8));
        Assert.Equal(-1, map.Get(Key("k8")));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(i, map.Get(Key($"k{i}")));
        }
    }

    [Fact]
    public void Clear_forgets_every_key()
    {
        var map = new OffsetMap(16 * OffsetMap.SlotSize, 0.9);
        map.TryPut(Key("a"), 1);

        map.Clear();

        Assert.Equal(0, map.Count);
        Assert.Equal(-1, map.Get(Key("a")));
    }

    [Fact]
    public void A_budget_below_one_key_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetMap(OffsetMap.SlotSize - 1, 0.9));
    }
}
