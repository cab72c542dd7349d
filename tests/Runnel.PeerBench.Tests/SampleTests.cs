using Runnel.PeerBench.Results;

namespace Runnel.PeerBench.Tests;

public sealed class SampleTests
{
    [Fact]
    public void Measured_sample_survives_a_round_trip_through_its_line()
    {
        Sample sample = new("produce-1k-acks1", "Redis Streams", "pinned", 2, new Measurement(1234.5, 1.2, 0.5, 2.25, null, 3.75), null);

        var parsed = Sample.Parse(sample.ToLine());

        Assert.Equal(sample, parsed);
    }

    [Fact]
    public void Not_applicable_sample_keeps_its_reason()
    {
        Sample sample = new("produce-1k-fsync-4p", "NATS JetStream", "unpinned", 1, null, "nats-server 2.9 has no sync_interval");

        var parsed = Sample.Parse(sample.ToLine());

        Assert.Null(parsed!.Measurement);
        Assert.Equal("nats-server 2.9 has no sync_interval", parsed.NotApplicable);
    }

    [Fact]
    public void ReadAll_skips_header_and_comments_and_rejects_a_malformed_line()
    {
        var good = new Sample("consume-1k", "Runnel", "unpinned", 1, new Measurement(10, 1, null, null, null, null), null).ToLine();

        var samples = Sample.ReadAll(new StringReader($"{Sample.Header}\n# note\n\n{good}\n"));

        Assert.Single(samples);
        Assert.Throws<FormatException>(() => Sample.ReadAll(new StringReader("too\tfew\n")));
    }

    [Fact]
    public void Caveat_of_a_measured_sample_survives_a_round_trip()
    {
        Sample sample = new("consume-1k", "Garnet", "pinned", 1, new Measurement(1, 1, null, null, null, null), null, "LRANGE of the first 100");

        Assert.Equal("LRANGE of the first 100", Sample.Parse(sample.ToLine())!.Caveat);
    }
}
