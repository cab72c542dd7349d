using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Storage.Log;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>
/// AddPartitionsToTxn (key 24), versions 0–5. v0–3 (clients) add partitions to one transaction;
/// the single answer is copied to every partition, and partitions that do not exist get
/// UNKNOWN_TOPIC_OR_PARTITION with OPERATION_NOT_ATTEMPTED for the rest (nothing added), as Kafka.
/// v2 introduced PRODUCER_FENCED (older versions get INVALID_PRODUCER_EPOCH); v3 is flexible;
/// v4+ (KIP-890) batches several transactions, each either added or, with VerifyOnly, only checked
/// (NONE if the partition is in the ongoing transaction, TRANSACTION_ABORTABLE if not).
/// </summary>
public sealed class AddPartitionsToTxnHandler(TransactionCoordinator coordinator, PartitionRegistry partitions) : RequestHandler<AddPartitionsToTxnRequest>
{
    public override ApiKey ApiKey => ApiKey.AddPartitionsToTxn;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, AddPartitionsToTxnRequest request)
    {
        var response = new AddPartitionsToTxnResponse();
        if (context.ApiVersion < 4)
        {
            var error = await AddAsync(request.V3AndBelowTransactionalId, request.V3AndBelowProducerId, request.V3AndBelowProducerEpoch, request.V3AndBelowTopics, context.ApiVersion);
            response.ResultsByTopicV3AndBelow = Results(request.V3AndBelowTopics, error);
            return response;
        }

        foreach (var transaction in request.Transactions)
        {
            ErrorCode[]? verified = null;
            ErrorCode error;
            if (transaction.VerifyOnly)
            {
                error = ErrorCode.None;
                verified = Verify(transaction);
            }
            else
            {
                error = await AddAsync(transaction.TransactionalId, transaction.ProducerId, transaction.ProducerEpoch, transaction.Topics, context.ApiVersion);
            }

            response.ResultsByTransaction.Add(new AddPartitionsToTxnResponse.AddPartitionsToTxnResult
            {
                TransactionalId = transaction.TransactionalId,
                TopicResults = Results(transaction.Topics, error, verified),
            });
        }

        return response;
    }

    /// <summary>Adds the partitions, or answers why not: a missing partition fails the whole request before the coordinator is asked.</summary>
    private async Task<ErrorCode> AddAsync(string transactionalId, long producerId, short producerEpoch, List<AddPartitionsToTxnRequest.AddPartitionsToTxnTopic> topics, short apiVersion)
    {
        if (transactionalId.Length == 0)
        {
            return ErrorCode.InvalidRequest;
        }

        var requested = new List<TopicPartition>();
        foreach (var topic in topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (!partitions.TryGet(topic.Name, partition, out _))
                {
                    return ErrorCode.UnknownTopicOrPartition;
                }

                requested.Add(new TopicPartition(topic.Name, partition));
            }
        }

        var error = await coordinator.AddPartitionsAsync(transactionalId, producerId, producerEpoch, requested);
        return TransactionErrors.ForVersion(error, apiVersion, firstVersionWithProducerFenced: 2);
    }

    private ErrorCode[] Verify(AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction transaction)
    {
        var errors = new List<ErrorCode>();
        foreach (var topic in transaction.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                errors.Add(coordinator.VerifyPartition(transaction.TransactionalId, transaction.ProducerId, transaction.ProducerEpoch, new TopicPartition(topic.Name, partition)));
            }
        }

        return [.. errors];
    }

    /// <summary>
    /// One result per requested partition: the verification answer, or the request's error (for an
    /// unknown partition: UNKNOWN_TOPIC_OR_PARTITION on the missing ones, OPERATION_NOT_ATTEMPTED on the others).
    /// </summary>
    private List<AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult> Results(
        List<AddPartitionsToTxnRequest.AddPartitionsToTxnTopic> topics, ErrorCode error, ErrorCode[]? verified = null)
    {
        var results = new List<AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult>(topics.Count);
        var index = 0;
        foreach (var topic in topics)
        {
            var result = new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                var partitionError = verified?[index] ?? error;
                if (error == ErrorCode.UnknownTopicOrPartition)
                {
                    partitionError = partitions.TryGet(topic.Name, partition, out _) ? ErrorCode.OperationNotAttempted : ErrorCode.UnknownTopicOrPartition;
                }

                result.ResultsByPartition.Add(new AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult { PartitionIndex = partition, PartitionErrorCode = (short)partitionError });
                index++;
            }

            results.Add(result);
        }

        return results;
    }
}
