using System.Text;
using Runnel.Protocol.Records;

namespace Runnel.Protocol.Tests;

public class Crc32CTests
{
    [Fact]
    public void Check_value_of_123456789_matches_the_standard()
    {
        // The CRC-32C check value from the Castagnoli polynomial's catalogue entry.
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Incremental_append_equals_one_shot()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var state = Crc32C.Append(uint.MaxValue, data.AsSpan(0, 333));
        state = Crc32C.Append(state, data.AsSpan(333));
        Assert.Equal(Crc32C.Compute(data), ~state);
    }
}
