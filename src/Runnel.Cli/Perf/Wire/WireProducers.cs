using Runnel.Cli.Kafka;
using Runnel.Protocol;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// A light load generator for <c>runnel perf e2e --wire-producers</c>: N producer clients that speak
/// Kafka's protocol themselves (Runnel.Protocol's codecs), all driven by one event-loop thread, so
/// that 100 connections can offer 100,000 records/s with a fraction of a core where 100 librdkafka
/// instances saturate the client first.
/// </summary>
/// <remarks>
/// Lifecycle: <see cref="ConnectAsync"/> learns the partition leaders (Metadata), opens each
/// producer's connections (one per leader broker it needs, Produce version negotiated with
/// ApiVersions) and starts their receive loops; <see cref="Run"/> is the event loop (the calling
/// thread), which sends on schedule and then waits for every response; <see cref="DisposeAsync"/>
/// closes the connections after it. Each producer behaves as a Kafka producer without idempotence
/// or retries (see <c>WireProducers.EventLoop.cs</c>); every property it honours is in
/// <see cref="WireProducerOptions"/>.
/// </remarks>
internal sealed partial class WireProducers : IAsyncDisposable
{
    /// <summary>The first Produce version of message format v2 (record batches).</summary>
    private const short LowestProduceVersion = 3;

    /// <summary>The last Produce version that names topics: v13 (KIP-516) addresses them by topic id.</summary>
    private const short HighestProduceVersionByName = 12;

    /// <summary>Connections opened at once during setup, so a broker's accept backlog is not flooded.</summary>
    private const int ConnectParallelism = 8;

    private readonly WireProducerOptions _options;
    private readonly IProduceOutcomes _outcomes;
    private readonly WireProducer[] _producers;
    private readonly ProduceRequestEncoder _encoder;
    private readonly Lock _connectionsLock = new();
    private readonly List<WireProducerConnection> _connections = [];

    private WireProducers(WireProducerOptions options, string topic, int producers, int recordSize, IProduceOutcomes outcomes)
    {
        _options = options;
        _outcomes = outcomes;
        _producers = new WireProducer[producers];
        _encoder = new ProduceRequestEncoder(topic, recordSize, options);
        _wakeQueue = new ProducerWakeQueue(producers);
    }

    /// <summary>Connects <paramref name="producers"/> wire producers for <paramref name="topic"/>, ready to <see cref="Run"/>.</summary>
    public static async Task<WireProducers> ConnectAsync(
        WireProducerOptions options, string topic, int producers, int recordSize, IProduceOutcomes outcomes, CancellationToken cancellationToken)
    {
        TopicLeaders leaders = await TopicLeaders.LoadAsync(options, topic, cancellationToken);
        WireProducers result = new(options, topic, producers, recordSize, outcomes);
        try
        {
            ParallelOptions parallel = new() { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(
                Enumerable.Range(0, producers), parallel, async (k, token) => result._producers[k] = await result.ConnectProducerAsync(k, leaders, token));
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }

        foreach (WireProducerConnection connection in result._connections)
        {
            connection.StartReceiving();
        }

        return result;
    }

    /// <summary>Closes every connection (the event loop has ended); anything still in flight is failed.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (WireProducerConnection connection in _connections)
        {
            await connection.DisposeAsync();
        }

        _encoder.Dispose();
        _wake.Dispose();
    }

    /// <summary>One connection per leader broker of the topic, shared by the partitions it leads.</summary>
    private async Task<WireProducer> ConnectProducerAsync(int index, TopicLeaders leaders, CancellationToken cancellationToken)
    {
        Dictionary<int, WireProducerConnection> byLeader = [];
        WireProducerConnection[] ofPartition = new WireProducerConnection[leaders.Partitions.Length];
        for (int i = 0; i < ofPartition.Length; i++)
        {
            int leader = leaders.LeaderIds[i];
            if (!byLeader.TryGetValue(leader, out WireProducerConnection? connection))
            {
                connection = await OpenConnectionAsync(index, leaders.Brokers[leader], cancellationToken);
                byLeader[leader] = connection;
            }

            ofPartition[i] = connection;
        }

        return new WireProducer(index, leaders.Partitions, ofPartition, [.. byLeader.Values]);
    }

    private async Task<WireProducerConnection> OpenConnectionAsync(int producer, BrokerAddress broker, CancellationToken cancellationToken)
    {
        KafkaWireConnection connection = await KafkaWireConnection.ConnectAsync(
            broker.Host, broker.Port, _options.ClientId, TimeSpan.FromMilliseconds(_options.RequestTimeoutMs), cancellationToken);
        try
        {
            short version = await connection.NegotiateVersionAsync(
                ApiKey.Produce, LowestProduceVersion, Math.Min(HighestProduceVersionByName, Protocol.Messages.ProduceRequest.HighestSupportedVersion), cancellationToken);
            WireProducerConnection result = new(connection, version, producer, _options.MaxInFlight, this, _outcomes);
            lock (_connectionsLock)
            {
                _connections.Add(result);
            }

            return result;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
