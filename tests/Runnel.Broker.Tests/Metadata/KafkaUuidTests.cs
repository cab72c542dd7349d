using Runnel.Broker.Metadata;

namespace Runnel.Broker.Tests.Metadata;

public sealed class KafkaUuidTests
{
    [Fact]
    public void Matches_url_safe_base64_of_the_big_endian_bytes_without_padding()
    {
        var random = new Random(7);
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(bytes);
            var id = new Guid(bytes, bigEndian: true);

            string expected = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

            Assert.Equal(expected, KafkaUuid.ToString(id));
        }
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000", "AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ffffffff-ffff-ffff-ffff-ffffffffffff", "_____________________w")]
    public void Edge_values(string guid, string expected) => Assert.Equal(expected, KafkaUuid.ToString(Guid.Parse(guid)));

    [Fact]
    public void New_ids_are_22_characters_and_distinct()
    {
        string a = KafkaUuid.NewString();
        string b = KafkaUuid.NewString();

        Assert.Equal(22, a.Length);
        Assert.NotEqual(a, b);
    }
}
