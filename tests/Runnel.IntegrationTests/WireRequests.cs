using Runnel.Protocol.Messages;

namespace Runnel.IntegrationTests;

/// <summary>Produce and Fetch requests for tests that speak the wire protocol directly (<c>WireClient</c>, the dispatcher).</summary>
internal static class WireRequests
{
    /// <summary>One single-record batch per listed partition, the record's value the partition number.</summary>
    public static ProduceRequest Produce(short acks, params (string Topic, int[] Partitions)[] topics) => new()
    {
        Acks = acks,
        TimeoutMs = 5000,
        TopicData = topics.Select(t => new ProduceRequest.TopicProduceData
        {
            Name = t.Topic,
            PartitionData = t.Partitions
                .Select(p => new ProduceRequest.PartitionProduceData { Index = p, Records = RecordBatchBuilderForTests.SingleRecord([(byte)p]) })
                .ToList(),
        }).ToList(),
    };

    /// <summary>A read_uncommitted fetch (no session) of the listed partitions of one topic, 1 MiB per partition.</summary>
    public static FetchRequest Fetch(string topic, (int Partition, long Offset)[] partitions, int maxWaitMs = 0, int minBytes = 0) => new()
    {
        ReplicaId = -1,
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = 1 << 20,
        IsolationLevel = 0,
        SessionEpoch = -1,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                Topic = topic,
                Partitions = partitions.Select(p => new FetchRequest.FetchPartition { Partition = p.Partition, FetchOffset = p.Offset, PartitionMaxBytes = 1 << 20 }).ToList(),
            },
        ],
    };
}
