using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Commands;

namespace Runnel.Cli.Groups;

/// <summary>ListOffsets through the Admin API: log start, log end or by-timestamp offsets of partitions.</summary>
internal static class LogOffsets
{
    /// <summary>
    /// The offset <paramref name="spec"/> resolves to for each partition. Partitions the broker answered
    /// with an error (a deleted topic, say) are left out, so callers print "-" or refuse, as Kafka does.
    /// A by-timestamp lookup past the last record gives -1.
    /// </summary>
    public static async Task<Dictionary<TopicPartition, long>> ListAsync(IAdminClient admin, IEnumerable<TopicPartition> partitions, OffsetSpec spec)
    {
        List<TopicPartitionOffsetSpec> request = [];
        HashSet<TopicPartition> seen = [];
        foreach (TopicPartition partition in partitions)
        {
            if (seen.Add(partition))
            {
                request.Add(new TopicPartitionOffsetSpec { TopicPartition = partition, OffsetSpec = spec });
            }
        }

        Dictionary<TopicPartition, long> offsets = [];
        if (request.Count == 0)
        {
            return offsets;
        }

        List<ListOffsetsResultInfo> results;
        try
        {
            results = (await admin.ListOffsetsAsync(request, new ListOffsetsOptions { RequestTimeout = GroupsCommand.RequestTimeout })).ResultInfos;
        }
        catch (ListOffsetsException e)
        {
            results = e.Result.ResultInfos;
        }

        foreach (ListOffsetsResultInfo result in results)
        {
            TopicPartitionOffsetError offset = result.TopicPartitionOffsetError;
            if (!offset.Error.IsError)
            {
                offsets[offset.TopicPartition] = offset.Offset.Value;
            }
        }

        return offsets;
    }
}
