using System.Runtime.InteropServices;
using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Broker.Handlers;

/// <summary>
/// Produce (key 0). Advertised 0–12 like Kafka 4.0, served 3–12: v0–2 carry message formats v0/v1,
/// which Kafka 4.0 removed (KIP-724, KIP-896); they close the connection. v3 transactional id and
/// format v2; v7 zstd (KIP-110); v8 per-record errors (KIP-467); v9 flexible; v10 leader hints in
/// tagged fields (KIP-951, not needed on one node); v11 TRANSACTION_ABORTABLE; v12 transaction
/// version 2 (KIP-890 part 2): the broker adds the partitions of transactional batches itself.
/// Each partition's batches are validated (size, magic, CRC-32C, offsets, timestamps, keys on
/// compacted topics), then appended as the producer's bytes with offsets patched in. acks=0 gets no
/// response; acks=-1 waits for the group-commit fsync when the topic asks for flush-on-acks.
/// Idempotent and transactional batches are checked against the partition's producer state; a
/// transactional batch that would open a transaction in the partition is first verified with the
/// transaction coordinator (KIP-890, <c>transaction.partition.verification.enable</c>), and one sent
/// without a transactional id is TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as Kafka answers.
/// </summary>
public sealed class ProduceHandler : RequestHandler<ProduceRequest>
{
    private readonly PartitionRegistry _partitions;
    private readonly TimeProvider _time;
    private readonly int _maxDecompressedBytes;
    private readonly TransactionCoordinator _transactions;
    private readonly Func<bool> _verificationEnabled;

    public ProduceHandler(PartitionRegistry partitions, TimeProvider time, int maxDecompressedBytes, TransactionCoordinator transactions, Func<bool> verificationEnabled)
    {
        _partitions = partitions;
        _time = time;
        _maxDecompressedBytes = maxDecompressedBytes;
        _transactions = transactions;
        _verificationEnabled = verificationEnabled;
    }

    public override ApiKey ApiKey => ApiKey.Produce;

    public override short MinVersion => 3;

    public override short MaxVersion => 12;

    public override short AdvertisedMinVersion => 0;

    /// <summary>A producer sends request after request on its connection: each is decoded into the same objects.</summary>
    protected override bool RecyclesRequests => true;

    /// <summary>The first version whose transactional batches add their partition themselves (KIP-890 part 2, transaction version 2).</summary>
    public const short FirstTransactionV2Version = 12;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, ProduceRequest request) =>
        context.ApiVersion >= FirstTransactionV2Version && request.TransactionalId is { Length: > 0 } transactionalId
            ? AddPartitionsThenProduceAsync(context, request, transactionalId)
            : Produce(context, request, refused: null);

    /// <summary>
    /// Transaction version 2: the client no longer sends AddPartitionsToTxn, so the leader adds each
    /// partition whose batch is transactional to the producer's transaction before appending (Kafka's
    /// <c>addPartition</c> operation). The append still verifies under the partition's lock, so a
    /// transaction that ends in between is refused rather than left hanging.
    /// </summary>
    private async ValueTask<IApiMessage?> AddPartitionsThenProduceAsync(RequestContext context, ProduceRequest request, string transactionalId)
    {
        List<TopicPartition>? partitions = null;
        (long Id, short Epoch) producer = default;
        foreach (var topicData in request.TopicData)
        {
            foreach (var partitionData in topicData.PartitionData)
            {
                var records = partitionData.Records ?? ReadOnlyMemory<byte>.Empty;
                if (records.Length < RecordBatchHeader.Size || records.Span[RecordBatchHeader.MagicOffset] != RecordBatchHeader.CurrentMagic
                    || !_partitions.TryGet(topicData.Name, partitionData.Index, out _))
                {
                    continue; // Validation or the unknown partition answers for it.
                }

                var header = RecordBatchHeader.Read(records.Span);
                if (header.IsTransactional)
                {
                    // One producer per request, as Kafka's RequestUtils assumes; a mismatched batch is
                    // refused by its partition's producer checks.
                    producer = partitions is null ? (header.ProducerId, header.ProducerEpoch) : producer;
                    (partitions ??= []).Add(new TopicPartition(topicData.Name, partitionData.Index));
                }
            }
        }

        Dictionary<TopicPartition, ErrorCode>? refused = null;
        if (partitions is not null)
        {
            var added = await _transactions.AddPartitionsAsync(transactionalId, producer.Id, producer.Epoch, partitions, transactionV2: true);
            if (added != ErrorCode.None)
            {
                var error = CoordinatorTransactionVerifier.ProduceErrorFor(added, context.ApiVersion);
                refused = new Dictionary<TopicPartition, ErrorCode>(partitions.Count);
                foreach (var partition in partitions)
                {
                    refused[partition] = error;
                }
            }
        }

        return await Produce(context, request, refused);
    }

    private ValueTask<IApiMessage?> Produce(RequestContext context, ProduceRequest request, Dictionary<TopicPartition, ErrorCode>? refused)
    {
        // The connection's response, rebuilt in place: a small produce request allocated more for its
        // response objects than for anything else.
        var recycled = context.ConnectionState<RecycledResponse>();
        var response = recycled.Recycle();
        var flushWait = context.ConnectionState<ProduceFlushWait>();
        flushWait.Begin();
        var acksValid = request.Acks is -1 or 0 or 1;
        foreach (var topicData in request.TopicData)
        {
            var topicResponse = recycled.Topics.Rent();
            topicResponse.Name = topicData.Name;
            response.Responses.Add(topicResponse);
            foreach (var partitionData in topicData.PartitionData)
            {
                var result = recycled.Partitions.Rent();
                result.Index = partitionData.Index;
                result.BaseOffset = -1;
                topicResponse.PartitionResponses.Add(result);
                if (!acksValid)
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequiredAcks;
                    continue;
                }

                if (!_partitions.TryGet(topicData.Name, partitionData.Index, out var partition))
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (refused is not null && refused.TryGetValue(partition.Log.TopicPartition, out var refusal))
                {
                    result.ErrorCode = (short)refusal;
                    continue;
                }

                var lastOffset = Append(context, request, partition, partitionData.Records, result);
                if (request.Acks == -1 && lastOffset >= 0 && partition.Config.Log.FlushOnAcks)
                {
                    flushWait.Add(partition, lastOffset);
                }
            }
        }

        // The batches are slices of the request's frame, which goes back to its pool once this request
        // is served: the connection's recycled request must not keep that buffer (up to
        // socket.request.max.bytes) reachable while the connection idles.
        foreach (var topicData in request.TopicData)
        {
            foreach (var partitionData in topicData.PartitionData)
            {
                partitionData.Records = null;
            }
        }

        if (request.Acks == 0)
        {
            return new ValueTask<IApiMessage?>((IApiMessage?)null);
        }

        if (flushWait.IsEmpty)
        {
            return new ValueTask<IApiMessage?>(response);
        }

        return flushWait.WaitAsync(response, context.ConnectionClosed);
    }

    /// <summary>Validates and appends; returns the last offset written, or -1 with the error set in <paramref name="result"/>.</summary>
    private long Append(RequestContext context, ProduceRequest request, Partition partition, ReadOnlyMemory<byte>? records, ProduceResponse.PartitionProduceResponse result)
    {
        var config = partition.Config;
        if (request.Acks == -1 && config.MinInSyncReplicas > 1)
        {
            // One replica can never satisfy min.insync.replicas above 1.
            result.ErrorCode = (short)ErrorCode.NotEnoughReplicas;
            return -1;
        }

        var bytes = records ?? ReadOnlyMemory<byte>.Empty;
        var options = new RecordBatchValidationOptions
        {
            MaxMessageBytes = config.MaxMessageBytes,
            IsCompacted = config.IsCompacted,
            TimestampType = config.TimestampType,
            TimestampBeforeMaxMs = config.TimestampBeforeMaxMs,
            TimestampAfterMaxMs = config.TimestampAfterMaxMs,
            NowMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            MaxDecompressedBytes = _maxDecompressedBytes,
            ProduceVersion = context.ApiVersion,
        };
        var validation = RecordBatchValidator.Validate(bytes.Span, options);
        if (!validation.IsValid)
        {
            result.ErrorCode = validation.ErrorCode;
            result.ErrorMessage = validation.ErrorMessage;
            foreach (var recordError in validation.RecordErrors)
            {
                result.RecordErrors.Add(new ProduceResponse.BatchIndexAndErrorMessage
                {
                    BatchIndex = recordError.BatchIndex,
                    BatchIndexErrorMessage = recordError.Message,
                });
            }

            return -1;
        }

        CoordinatorTransactionVerifier? verifier = null;
        if (validation.Summary.IsTransactional)
        {
            if (request.TransactionalId is not { Length: > 0 } transactionalId)
            {
                result.ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed;
                result.ErrorMessage = "Transactional batches need the request's transactional id";
                return -1;
            }

            if (_verificationEnabled() || context.ApiVersion >= FirstTransactionV2Version)
            {
                verifier = new CoordinatorTransactionVerifier(_transactions, transactionalId, partition.Log.TopicPartition);
            }
        }

        try
        {
            // The request buffer belongs to this connection and is not read again after the
            // append, so the log may patch offsets into it in place before writing.
            // Only the validated batch is stored: an incomplete tail after it is ignored, as Kafka does.
            var batch = MemoryMarshal.AsMemory(bytes).Span[..validation.Summary.ValidBytes];
            if (config.TimestampType == TimestampType.CreateTime)
            {
                // Kafka trusts the records, not the producer's header, for the batch's max timestamp.
                RecordBatchHeader.SetMaxTimestamp(batch, TimestampType.CreateTime, validation.Summary.MaxTimestamp);
            }

            var appended = partition.Log.Append(batch, partition.LeaderEpoch, config.TimestampType == TimestampType.LogAppendTime, verifier: verifier);
            if (appended.Producer.Result is not (ProducerCheckResult.Append or ProducerCheckResult.Duplicate))
            {
                result.ErrorCode = (short)(appended.Producer.Result switch
                {
                    ProducerCheckResult.OutOfOrderSequence => ErrorCode.OutOfOrderSequenceNumber,
                    ProducerCheckResult.InvalidProducerEpoch => ErrorCode.InvalidProducerEpoch,
                    ProducerCheckResult.NotVerified => verifier!.ProduceError(context.ApiVersion),
                    _ => ErrorCode.InvalidTxnState,
                });
                result.ErrorMessage = appended.Producer.Message;
                return -1;
            }

            // A duplicate (a retry of a batch already stored) is answered as Kafka does: no error,
            // the original base offset.
            result.BaseOffset = appended.FirstOffset;
            result.LogAppendTimeMs = appended.LogAppendTime;
            result.LogStartOffset = appended.LogStartOffset;
            return appended.LastOffset;
        }
        catch (LogOfflineException)
        {
            result.ErrorCode = (short)ErrorCode.KafkaStorageError;
            return -1;
        }
    }

    internal static void SetError(ProduceResponse response, Partition partition, ErrorCode error)
    {
        foreach (var topic in response.Responses)
        {
            if (topic.Name != partition.Topic)
            {
                continue;
            }

            foreach (var p in topic.PartitionResponses)
            {
                if (p.Index == partition.Index)
                {
                    p.ErrorCode = (short)error;
                    p.BaseOffset = -1;
                }
            }
        }
    }

    /// <summary>
    /// The connection's produce response, rebuilt in place for each request: by the time the next
    /// request is served the previous response has been written (or, for acks=0, dropped), so its
    /// topics and partitions go back to the pools and come out again reset.
    /// </summary>
    private sealed class RecycledResponse
    {
        private readonly ProduceResponse _response = new();

        public MessagePool<ProduceResponse.TopicProduceResponse> Topics { get; } = new();

        public MessagePool<ProduceResponse.PartitionProduceResponse> Partitions { get; } = new();

        /// <summary>The response, reset, its previous topics and partitions given back to the pools.</summary>
        public ProduceResponse Recycle()
        {
            foreach (var topic in _response.Responses)
            {
                Partitions.ReturnAll(topic.PartitionResponses);
            }

            Topics.ReturnAll(_response.Responses);
            _response.Reset();
            return _response;
        }
    }
}
