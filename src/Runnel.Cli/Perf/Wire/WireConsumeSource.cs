using Runnel.Cli.Kafka;
using Runnel.Protocol;
using Runnel.Protocol.Messages;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// <c>runnel perf consume --wire</c>: reads every partition of a topic with Kafka's protocol and
/// Runnel's codecs, one connection per leader broker, one Fetch at a time on each (as librdkafka
/// keeps one fetch in flight per broker), without a fetch session (every request is a full fetch).
/// Start offsets come from ListOffsets (earliest, or latest with --from-latest). Each response is
/// decoded once into a reused response object from one reused buffer, and its batches are counted by
/// <see cref="FetchedRecordCounter"/>: CRC (with check.crcs), decompression, each record's key and
/// value lengths. So the client's work per record is about as small as a consumer's can be, and the
/// run shows what the broker serves. The leaders are read once: a leader that moves ends the run
/// with an error, as does any partition error.
/// </summary>
internal sealed class WireConsumeSource : IConsumeSource
{
    private const short LowestFetchVersion = 4;

    /// <summary>Fetch v13 names topics by id; the names of v4–v12 need no topic-id lookup.</summary>
    private const short HighestFetchVersion = 12;

    private const short LowestListOffsetsVersion = 2;
    private const long EarliestTimestamp = -2;
    private const long LatestTimestamp = -1;

    private readonly WireConsumerOptions _options;
    private readonly string _topic;
    private readonly List<LeaderFetch> _leaders;
    private readonly AbortedTransactionFilter? _aborted;
    private readonly IFetchedRecordSink? _sink;

    private WireConsumeSource(WireConsumerOptions options, string topic, List<LeaderFetch> leaders, IFetchedRecordSink? sink)
    {
        _options = options;
        _topic = topic;
        _leaders = leaders;
        _sink = sink;
        _aborted = options.ReadCommitted ? new AbortedTransactionFilter() : null;
    }

    public long JoinTicks => -1;

    /// <summary>Finds the topic's leaders, connects to each and positions every partition; <paramref name="sink"/>, if any, is given every record counted.</summary>
    public static async Task<WireConsumeSource> OpenAsync(
        WireConsumerOptions options, string topic, bool fromLatest, IFetchedRecordSink? sink, CancellationToken cancellationToken)
    {
        TopicLeaders leaders = await TopicLeaders.LoadAsync(options.BootstrapServers, options.ClientId, options.SocketTimeoutMs, topic, cancellationToken);
        Dictionary<int, List<int>> partitionsByLeader = [];
        for (int i = 0; i < leaders.Partitions.Length; i++)
        {
            if (!partitionsByLeader.TryGetValue(leaders.LeaderIds[i], out List<int>? partitions))
            {
                partitionsByLeader[leaders.LeaderIds[i]] = partitions = [];
            }

            partitions.Add(leaders.Partitions[i]);
        }

        List<LeaderFetch> fetches = [];
        try
        {
            foreach ((int leaderId, List<int> partitions) in partitionsByLeader)
            {
                WireFetchConnection connection = await WireFetchConnection.ConnectAsync(
                    leaders.Brokers[leaderId], options.ClientId, TimeSpan.FromMilliseconds(options.SocketTimeoutMs), cancellationToken);
                LeaderFetch fetch = new(connection);
                fetches.Add(fetch);
                await fetch.PrepareAsync(options, topic, partitions, fromLatest ? LatestTimestamp : EarliestTimestamp, cancellationToken);
            }
        }
        catch
        {
            foreach (LeaderFetch fetch in fetches)
            {
                fetch.Connection.Dispose();
            }

            throw;
        }

        return new WireConsumeSource(options, topic, fetches, sink);
    }

    public void Start(long startTimestamp)
    {
    }

    /// <summary>One Fetch to each leader in turn; <paramref name="wait"/> is not used: fetch.wait.max.ms bounds each.</summary>
    public async ValueTask<ConsumedChunk> PollAsync(TimeSpan wait, long maxRecords, CancellationToken cancellationToken)
    {
        long records = 0;
        long bytes = 0;
        foreach (LeaderFetch leader in _leaders)
        {
            if (records >= maxRecords)
            {
                break;
            }

            await leader.Connection.ExchangeAsync(leader.Request, leader.Response, leader.FetchVersion, cancellationToken);
            (long fetched, long fetchedBytes) = Count(leader, maxRecords - records);
            records += fetched;
            bytes += fetchedBytes;
        }

        return new ConsumedChunk(records, bytes);
    }

    public void Close()
    {
    }

    public void Dispose()
    {
        foreach (LeaderFetch leader in _leaders)
        {
            leader.Connection.Dispose();
        }
    }

    private (long Records, long Bytes) Count(LeaderFetch leader, long maxRecords)
    {
        FetchResponse response = leader.Response;
        if (response.ErrorCode != 0)
        {
            throw new ToolException($"Error: {leader.Connection.Address} answered Fetch with {(ErrorCode)response.ErrorCode}.");
        }

        long records = 0;
        long bytes = 0;
        foreach (FetchResponse.FetchableTopicResponse topic in response.Responses)
        {
            foreach (FetchResponse.PartitionData partition in topic.Partitions)
            {
                if (partition.ErrorCode != 0)
                {
                    throw new ToolException($"Error: fetching {_topic}-{partition.PartitionIndex} from {leader.Connection.Address}: {(ErrorCode)partition.ErrorCode}.");
                }

                FetchRequest.FetchPartition position = leader.Position(partition.PartitionIndex);
                if (partition.Records is not { Length: > 0 } data || records >= maxRecords)
                {
                    continue;
                }

                _aborted?.Reset(partition.AbortedTransactions);
                FetchedCount count;
                try
                {
                    count = FetchedRecordCounter.Count(data.Span, position.FetchOffset, maxRecords - records, _options.CheckCrcs, _aborted, _sink);
                }
                catch (InvalidDataException e)
                {
                    throw new ToolException($"Error: {_topic}-{partition.PartitionIndex} from {leader.Connection.Address}: {e.Message}", e);
                }

                if (count.NextOffset == position.FetchOffset)
                {
                    throw new ToolException(
                        $"Error: {_topic}-{partition.PartitionIndex} at offset {position.FetchOffset}: the fetch returned {data.Length} bytes and no whole batch " +
                        $"(a batch larger than max.partition.fetch.bytes {_options.MaxPartitionFetchBytes} from a broker that does not return an oversized first batch).");
                }

                position.FetchOffset = count.NextOffset;
                records += count.Records;
                bytes += count.Bytes;
            }
        }

        return (records, bytes);
    }

    /// <summary>The fetch state of one leader: its connection, negotiated version, the reused request (which holds each partition's position) and response.</summary>
    private sealed class LeaderFetch(WireFetchConnection connection)
    {
        private readonly Dictionary<int, FetchRequest.FetchPartition> _positions = [];

        public WireFetchConnection Connection { get; } = connection;

        public FetchRequest Request { get; } = new();

        public FetchResponse Response { get; } = new();

        public short FetchVersion { get; private set; }

        public FetchRequest.FetchPartition Position(int partition) =>
            _positions.TryGetValue(partition, out FetchRequest.FetchPartition? position)
                ? position
                : throw new ToolException($"Error: {Connection.Address} returned partition {partition}, which was not asked for.");

        public async Task PrepareAsync(WireConsumerOptions options, string topic, List<int> partitions, long timestamp, CancellationToken cancellationToken)
        {
            FetchVersion = await Connection.NegotiateVersionAsync(ApiKey.Fetch, LowestFetchVersion, HighestFetchVersion, cancellationToken);
            short listVersion = await Connection.NegotiateVersionAsync(
                ApiKey.ListOffsets, LowestListOffsetsVersion, ListOffsetsRequest.HighestSupportedVersion, cancellationToken);
            sbyte isolation = options.ReadCommitted ? (sbyte)1 : (sbyte)0;

            ListOffsetsRequest list = new()
            {
                ReplicaId = -1,
                IsolationLevel = isolation,
                Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = partitions.ConvertAll(p => new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = p, Timestamp = timestamp }) }],
            };
            ListOffsetsResponse offsets = new();
            await Connection.ExchangeAsync(list, offsets, listVersion, cancellationToken);

            FetchRequest.FetchTopic fetchTopic = new() { Topic = topic };
            foreach (ListOffsetsResponse.ListOffsetsTopicResponse listed in offsets.Topics)
            {
                foreach (ListOffsetsResponse.ListOffsetsPartitionResponse partition in listed.Partitions)
                {
                    if (partition.ErrorCode != 0)
                    {
                        throw new ToolException($"Error: ListOffsets for {topic}-{partition.PartitionIndex} from {Connection.Address}: {(ErrorCode)partition.ErrorCode}.");
                    }

                    FetchRequest.FetchPartition position = new()
                    {
                        Partition = partition.PartitionIndex,
                        FetchOffset = partition.Offset,
                        PartitionMaxBytes = options.MaxPartitionFetchBytes,
                    };
                    _positions[partition.PartitionIndex] = position;
                    fetchTopic.Partitions.Add(position);
                }
            }

            if (_positions.Count != partitions.Count)
            {
                throw new ToolException($"Error: {Connection.Address} listed offsets for {_positions.Count} of {partitions.Count} partitions of {topic}.");
            }

            Request.ReplicaId = -1;
            Request.MaxWaitMs = options.FetchWaitMaxMs;
            Request.MinBytes = options.FetchMinBytes;
            Request.MaxBytes = options.FetchMaxBytes;
            Request.IsolationLevel = isolation;
            Request.Topics = [fetchTopic];
        }
    }
}
