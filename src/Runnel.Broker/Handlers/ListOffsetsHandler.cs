using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Storage.Log;

namespace Runnel.Broker.Handlers;

/// <summary>
/// ListOffsets (key 2), versions 1–10 (Kafka 4.0 removed v0 and its OldStyleOffsets).
/// Timestamps: -1 latest (high watermark, or last stable offset for read_committed, v2+),
/// -2 earliest (log start), -3 max timestamp (v7+, KIP-734: the record with the largest timestamp),
/// -4 earliest local (v8+, KIP-405: the log start, since all data is local), -5 latest tiered
/// (v9+: no tiered storage, so -1); any other value finds the first record whose timestamp is at or
/// after it through the time index. v4 current leader epoch fencing (KIP-320); v10 timeout.
/// </summary>
public sealed class ListOffsetsHandler : RequestHandler<ListOffsetsRequest>
{
    private const long Latest = -1;
    private const long Earliest = -2;
    private const long MaxTimestamp = -3;
    private const long EarliestLocal = -4;
    private const long LatestTiered = -5;

    private readonly PartitionRegistry _partitions;
    private readonly int _maxDecompressedBytes;

    public ListOffsetsHandler(PartitionRegistry partitions, int maxDecompressedBytes)
    {
        _partitions = partitions;
        _maxDecompressedBytes = maxDecompressedBytes;
    }

    public override ApiKey ApiKey => ApiKey.ListOffsets;

    public override short MinVersion => 1;

    public override short MaxVersion => 10;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, ListOffsetsRequest request)
    {
        var response = new ListOffsetsResponse();
        var readCommitted = request.IsolationLevel == 1;
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var p in topic.Partitions)
            {
                topicResponse.Partitions.Add(Lookup(topic.Name, p, readCommitted));
            }
        }

        return new ValueTask<IApiMessage?>(response);
    }

    private ListOffsetsResponse.ListOffsetsPartitionResponse Lookup(string topic, ListOffsetsRequest.ListOffsetsPartition request, bool readCommitted)
    {
        var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = request.PartitionIndex };
        if (!_partitions.TryGet(topic, request.PartitionIndex, out var partition))
        {
            result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
            return result;
        }

        if (request.CurrentLeaderEpoch >= 0 && request.CurrentLeaderEpoch != partition.LeaderEpoch)
        {
            result.ErrorCode = (short)(request.CurrentLeaderEpoch > partition.LeaderEpoch ? ErrorCode.UnknownLeaderEpoch : ErrorCode.FencedLeaderEpoch);
            return result;
        }

        var log = partition.Log;
        if (log.IsOffline)
        {
            result.ErrorCode = (short)ErrorCode.KafkaStorageError;
            return result;
        }

        result.LeaderEpoch = partition.LeaderEpoch;
        switch (request.Timestamp)
        {
            case Latest:
                result.Offset = readCommitted ? partition.LastStableOffset : log.HighWatermark;
                break;
            case Earliest:
            case EarliestLocal:
                result.Offset = log.LogStartOffset;
                break;
            case LatestTiered:
                result.Offset = -1;
                break;
            case MaxTimestamp:
                (result.Offset, result.Timestamp) = FindMaxTimestamp(log);
                break;
            case < 0:
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                break;
            default:
                (result.Offset, result.Timestamp) = FindByTimestamp(log, request.Timestamp, readCommitted ? partition.LastStableOffset : log.HighWatermark);
                break;
        }

        return result;
    }

    private (long Offset, long Timestamp) FindByTimestamp(PartitionLog log, long timestamp, long limit)
    {
        using var batch = log.FindFirstBatchWithMaxTimestampAtLeast(timestamp);
        if (batch is null)
        {
            return (-1, -1);
        }

        var found = BatchRecordSearch.FindFirstAtOrAfter(batch.Batch.Span, timestamp, _maxDecompressedBytes);
        return found.Offset >= limit ? (-1, -1) : found;
    }

    private (long Offset, long Timestamp) FindMaxTimestamp(PartitionLog log)
    {
        using var batch = log.FindBatchWithMaxTimestamp();
        if (batch is null)
        {
            return (-1, -1);
        }

        return BatchRecordSearch.FindFirstAtOrAfter(batch.Batch.Span, batch.MaxTimestamp, _maxDecompressedBytes);
    }
}
