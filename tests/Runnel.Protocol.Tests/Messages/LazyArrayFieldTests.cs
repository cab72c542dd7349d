using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Protocol.Tests.Messages;

/// <summary>
/// Collection fields are created on first read, so a message whose collections stay empty (a
/// produce response's node endpoints, a partition's record errors) allocates none of them, and
/// sizing, writing and <c>IsDefault</c> do not create them either.
/// </summary>
public class LazyArrayFieldTests
{
    private const short Version = 11;

    private static long Allocated(Action action)
    {
        action(); // warm up (JIT) first
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Constructing_allocates_no_list_and_reading_a_collection_creates_one()
    {
        var untouched = Allocated(() => GC.KeepAlive(new ProduceResponse.PartitionProduceResponse()));
        var touched = Allocated(() => GC.KeepAlive(new ProduceResponse.PartitionProduceResponse().RecordErrors));

        Assert.True(touched > untouched, $"reading RecordErrors allocated nothing more ({touched} vs {untouched} bytes): it was created up front");
    }

    [Fact]
    public void Sizing_writing_and_IsDefault_of_untouched_collections_allocate_nothing()
    {
        var response = new ProduceResponse();
        var bytes = new byte[1024];
        int size = 0;
        int written = 0;
        bool isDefault = false;

        long allocated = Allocated(() =>
        {
            size = response.GetSize(Version);
            var writer = new ProtocolWriter(bytes);
            response.Write(ref writer, Version);
            written = writer.Position;
            isDefault = response.IsDefault();
        });

        Assert.Equal(0, allocated);
        Assert.Equal(size, written);
        Assert.True(isDefault);
    }

    [Fact]
    public void An_untouched_collection_is_written_like_an_empty_one_and_a_filled_one_round_trips()
    {
        var untouched = new ProduceResponse.PartitionProduceResponse { Index = 2, BaseOffset = 5 };
        var emptied = new ProduceResponse.PartitionProduceResponse { Index = 2, BaseOffset = 5, RecordErrors = [] };
        Assert.Equal(Encode(untouched), Encode(emptied));

        var filled = new ProduceResponse.PartitionProduceResponse { Index = 2 };
        filled.RecordErrors.Add(new ProduceResponse.BatchIndexAndErrorMessage { BatchIndex = 3, BatchIndexErrorMessage = "bad" });
        Assert.Same(filled.RecordErrors, filled.RecordErrors);

        var decoded = new ProduceResponse.PartitionProduceResponse();
        var reader = new ProtocolReader(Encode(filled));
        decoded.Read(ref reader, Version);

        Assert.True(reader.End);
        var error = Assert.Single(decoded.RecordErrors);
        Assert.Equal((3, "bad"), (error.BatchIndex, error.BatchIndexErrorMessage));
    }

    private static byte[] Encode(ProduceResponse.PartitionProduceResponse partition)
    {
        var bytes = new byte[partition.GetSize(Version)];
        var writer = new ProtocolWriter(bytes);
        partition.Write(ref writer, Version);
        Assert.Equal(bytes.Length, writer.Position);
        return bytes;
    }
}
