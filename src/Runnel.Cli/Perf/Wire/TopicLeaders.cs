using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Runnel.Cli.Kafka;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// Where a topic's partitions are led, learned with one Metadata request through the first
/// bootstrap server that answers, as a Kafka producer bootstraps. Wire producers do not refresh
/// it: they do not retry either, so a leader that moves during a run shows as failed records.
/// </summary>
/// <param name="Partitions">The topic's partition indexes, ascending.</param>
/// <param name="LeaderIds">The leader's node id of each entry of <paramref name="Partitions"/>.</param>
/// <param name="Brokers">The address of each leader.</param>
internal sealed record TopicLeaders(int[] Partitions, int[] LeaderIds, IReadOnlyDictionary<int, BrokerAddress> Brokers)
{
    /// <summary>Metadata v0 has no way to ask for one topic without auto-creating it on some brokers.</summary>
    private const short LowestMetadataVersion = 1;

    private static readonly TimeSpan s_retryBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Reads the leaders of every partition of <paramref name="topic"/>; while the topic is unknown or
    /// a partition has no leader (a topic just created), asks again every 100 ms for up to request.timeout.ms.
    /// </summary>
    public static Task<TopicLeaders> LoadAsync(WireProducerOptions options, string topic, CancellationToken cancellationToken) =>
        LoadAsync(options.BootstrapServers, options.ClientId, options.RequestTimeoutMs, topic, cancellationToken);

    /// <summary>
    /// Reads the leaders of every partition of <paramref name="topic"/> through the first of
    /// <paramref name="bootstrapServers"/> that answers; retries as above for up to <paramref name="timeoutMs"/>.
    /// </summary>
    public static async Task<TopicLeaders> LoadAsync(IReadOnlyList<BrokerAddress> bootstrapServers, string clientId, int timeoutMs, string topic, CancellationToken cancellationToken)
    {
        await using KafkaWireConnection connection = await ConnectToBootstrapAsync(bootstrapServers, clientId, timeoutMs, cancellationToken);
        short version = await connection.NegotiateVersionAsync(ApiKey.Metadata, LowestMetadataVersion, MetadataRequest.HighestSupportedVersion, cancellationToken);
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            MetadataRequest request = new() { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false };
            MetadataResponse response = await connection.RequestAsync<MetadataResponse>(request, version, cancellationToken);
            if (TryRead(response, topic, out TopicLeaders? leaders, out string problem))
            {
                return leaders;
            }

            if (Stopwatch.GetElapsedTime(start).TotalMilliseconds > timeoutMs)
            {
                throw new ToolException($"Error: {topic} has no leader for every partition after {timeoutMs} ms (request.timeout.ms): {problem}");
            }

            await Task.Delay(s_retryBackoff, cancellationToken);
        }
    }

    /// <summary>The first bootstrap server that accepts a connection.</summary>
    private static async Task<KafkaWireConnection> ConnectToBootstrapAsync(IReadOnlyList<BrokerAddress> bootstrapServers, string clientId, int timeoutMs, CancellationToken cancellationToken)
    {
        ToolException? last = null;
        foreach (BrokerAddress server in bootstrapServers)
        {
            try
            {
                return await KafkaWireConnection.ConnectAsync(
                    server.Host, server.Port, clientId, TimeSpan.FromMilliseconds(timeoutMs), cancellationToken);
            }
            catch (ToolException e)
            {
                last = e;
            }
        }

        throw last ?? new ToolException("Error: bootstrap.servers names no broker.");
    }

    private static bool TryRead(MetadataResponse response, string topic, [NotNullWhen(true)] out TopicLeaders? leaders, out string problem)
    {
        leaders = null;
        MetadataResponse.MetadataResponseTopic? found = response.Topics.Find(t => t.Name == topic);
        if (found is null || found.ErrorCode != 0 || found.Partitions.Count == 0)
        {
            problem = found is null ? "not in the Metadata response" : $"{(ErrorCode)found.ErrorCode}, {found.Partitions.Count} partitions";
            return false;
        }

        Dictionary<int, BrokerAddress> brokers = [];
        foreach (MetadataResponse.MetadataResponseBroker broker in response.Brokers)
        {
            brokers[broker.NodeId] = new BrokerAddress(broker.Host, broker.Port);
        }

        List<MetadataResponse.MetadataResponsePartition> partitions = [.. found.Partitions];
        partitions.Sort((a, b) => a.PartitionIndex.CompareTo(b.PartitionIndex));
        foreach (MetadataResponse.MetadataResponsePartition partition in partitions)
        {
            // REPLICA_NOT_AVAILABLE still names a leader; producing needs nothing else.
            bool usable = partition.ErrorCode is 0 or (short)ErrorCode.ReplicaNotAvailable;
            if (!usable || !brokers.ContainsKey(partition.LeaderId))
            {
                problem = $"partition {partition.PartitionIndex}: {(ErrorCode)partition.ErrorCode}, leader {partition.LeaderId}";
                return false;
            }
        }

        problem = string.Empty;
        leaders = new TopicLeaders(
            [.. partitions.Select(p => p.PartitionIndex)],
            [.. partitions.Select(p => p.LeaderId)],
            brokers);
        return true;
    }
}
