using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// The outcome of a Produce request that carried one partition of one topic, as the wire producers
/// send them. A success reads only the fields in front of the partition's error code (topic count,
/// topic name, partition count, partition index, error code: the same in every version from 0 to 12
/// but for compact lengths from v9) without allocating: the generated
/// <see cref="ProduceResponse.Read"/> makes a response object graph and the topic-name string per
/// request, garbage that at 100,000 requests/s would add collections pausing the consumer that
/// measures. An error is decoded in full with the generated codec, for its message.
/// </summary>
internal static class SinglePartitionProduceResponse
{
    /// <summary>
    /// Reads the error code of <paramref name="partition"/> from a response body (the reader is past the
    /// header); throws <see cref="InvalidDataException"/> when the response is not about one partition,
    /// that one.
    /// </summary>
    public static ErrorCode ReadErrorCode(ref ProtocolReader reader, short version, int partition)
    {
        bool flexible = ProduceResponse.IsFlexible(version);
        if (reader.ReadArrayLength(flexible, nullable: false) != 1)
        {
            throw new InvalidDataException("A Produce response for other than the one topic requested.");
        }

        SkipString(ref reader, flexible);
        if (reader.ReadArrayLength(flexible, nullable: false) != 1 || reader.ReadInt32() != partition)
        {
            throw new InvalidDataException($"A Produce response for other than partition {partition}.");
        }

        return (ErrorCode)reader.ReadInt16();
    }

    /// <summary>The broker's message for a failed partition (its error message, or the code's description).</summary>
    public static string ReadErrorMessage(ReadOnlyMemory<byte> body, short version)
    {
        ProtocolReader reader = new(body);
        ProduceResponse response = new();
        response.Read(ref reader, version);
        ProduceResponse.PartitionProduceResponse result = response.Responses[0].PartitionResponses[0];
        return result.ErrorMessage ?? ErrorCodes.Message((ErrorCode)result.ErrorCode);
    }

    /// <summary>Skips a non-nullable string: an int16 length, or from v9 an unsigned varint of length + 1.</summary>
    private static void SkipString(ref ProtocolReader reader, bool compact)
    {
        int length = compact ? (int)reader.ReadUnsignedVarInt() - 1 : reader.ReadInt16();
        if (length < 0)
        {
            throw new InvalidDataException("A Produce response with a null topic name.");
        }

        reader.Skip(length);
    }
}
