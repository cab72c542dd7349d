using Runnel.Cli.Perf.Wire;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Cli.Tests.Perf.Wire;

public class SinglePartitionProduceResponseTests
{
    public static TheoryData<short> Versions() => [.. Enumerable.Range(3, 10).Select(v => (short)v)];

    [Theory]
    [MemberData(nameof(Versions))]
    public void The_partitions_error_code_is_read_at_every_version_that_names_topics(short version)
    {
        byte[] body = Encode(Response(partition: 7, ErrorCode.NotLeaderOrFollower, message: null), version);

        ProtocolReader reader = new(body);

        Assert.Equal(ErrorCode.NotLeaderOrFollower, SinglePartitionProduceResponse.ReadErrorCode(ref reader, version, partition: 7));
        Assert.Equal(ErrorCodes.Message(ErrorCode.NotLeaderOrFollower), SinglePartitionProduceResponse.ReadErrorMessage(body, version));
    }

    [Fact]
    public void A_failed_partitions_message_is_the_brokers_when_it_sends_one()
    {
        byte[] body = Encode(Response(partition: 0, ErrorCode.MessageTooLarge, message: "too big"), version: 12);

        Assert.Equal("too big", SinglePartitionProduceResponse.ReadErrorMessage(body, 12));
    }

    [Fact]
    public void A_response_about_another_partition_is_refused()
    {
        byte[] body = Encode(Response(partition: 1, ErrorCode.None, message: null), version: 9);

        Assert.Throws<InvalidDataException>(() =>
        {
            ProtocolReader reader = new(body);
            SinglePartitionProduceResponse.ReadErrorCode(ref reader, 9, partition: 2);
        });
    }

    [Fact]
    public void Reading_a_success_allocates_nothing()
    {
        byte[] body = Encode(Response(partition: 3, ErrorCode.None, message: null), version: 12);
        ReadSuccess(body);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ErrorCode error = ReadSuccess(body);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(0, allocated);
    }

    private static ErrorCode ReadSuccess(byte[] body)
    {
        ProtocolReader reader = new(body);
        return SinglePartitionProduceResponse.ReadErrorCode(ref reader, 12, partition: 3);
    }

    private static ProduceResponse Response(int partition, ErrorCode error, string? message) => new()
    {
        Responses =
        [
            new ProduceResponse.TopicProduceResponse
            {
                Name = "t",
                PartitionResponses = [new ProduceResponse.PartitionProduceResponse { Index = partition, ErrorCode = (short)error, BaseOffset = 5, ErrorMessage = message }],
            },
        ],
    };

    private static byte[] Encode(ProduceResponse response, short version)
    {
        byte[] body = new byte[response.GetSize(version)];
        ProtocolWriter writer = new(body);
        response.Write(ref writer, version);
        return body;
    }
}
