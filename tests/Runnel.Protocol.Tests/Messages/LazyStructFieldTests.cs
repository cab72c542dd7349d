using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Protocol.Tests.Messages;

/// <summary>
/// Single struct fields (e.g. Fetch's tagged DivergingEpoch, CurrentLeader, SnapshotId) are created
/// on first read, so a response with thousands of partitions does not allocate them up front.
/// </summary>
public class LazyStructFieldTests
{
    private const short Version = 16;

    [Fact]
    public void An_untouched_tagged_struct_is_omitted_exactly_like_a_default_one()
    {
        var untouched = new FetchResponse.PartitionData { PartitionIndex = 3, HighWatermark = 10 };
        var readOnce = new FetchResponse.PartitionData { PartitionIndex = 3, HighWatermark = 10 };
        Assert.True(readOnce.DivergingEpoch.IsDefault());

        Assert.Equal(Encode(untouched), Encode(readOnce));
        Assert.True(untouched.IsDefault() == readOnce.IsDefault());
    }

    [Fact]
    public void Constructing_a_partition_allocates_no_nested_struct()
    {
        static long Allocated(Action action)
        {
            action(); // warm up (JIT) first
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        var untouched = Allocated(() => GC.KeepAlive(new FetchResponse.PartitionData()));
        var touched = Allocated(() => GC.KeepAlive(new FetchResponse.PartitionData().DivergingEpoch));

        Assert.True(touched > untouched, $"reading DivergingEpoch allocated nothing more ({touched} vs {untouched} bytes): it was created up front");
    }

    [Fact]
    public void A_struct_set_through_its_getter_is_kept_and_written()
    {
        var partition = new FetchResponse.PartitionData { PartitionIndex = 1 };
        partition.CurrentLeader.LeaderId = 7;
        partition.CurrentLeader.LeaderEpoch = 2;
        Assert.Same(partition.CurrentLeader, partition.CurrentLeader);

        var decoded = new FetchResponse.PartitionData();
        var reader = new ProtocolReader(Encode(partition));
        decoded.Read(ref reader, Version);

        Assert.True(reader.End);
        Assert.Equal(7, decoded.CurrentLeader.LeaderId);
        Assert.Equal(2, decoded.CurrentLeader.LeaderEpoch);
        Assert.True(decoded.SnapshotId.IsDefault());
    }

    [Fact]
    public void Aborted_transactions_default_to_null_and_are_written_as_a_null_array()
    {
        var partition = new FetchResponse.PartitionData();
        Assert.Null(partition.AbortedTransactions);

        var decoded = new FetchResponse.PartitionData { AbortedTransactions = [] };
        var reader = new ProtocolReader(Encode(partition));
        decoded.Read(ref reader, Version);

        Assert.Null(decoded.AbortedTransactions);
    }

    private static byte[] Encode(FetchResponse.PartitionData partition)
    {
        var bytes = new byte[partition.GetSize(Version)];
        var writer = new ProtocolWriter(bytes);
        partition.Write(ref writer, Version);
        Assert.Equal(bytes.Length, writer.Position);
        return bytes;
    }
}
