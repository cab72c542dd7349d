using Runnel.Broker.Groups;
using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Storage.Log;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>
/// TxnOffsetCommit (key 28), versions 0–5: a transactional producer commits a group's offsets as
/// part of its transaction (they become visible only with its commit marker). v2 adds the leader
/// epoch; v3 (KIP-447) the group generation, member id and instance id, checked so a zombie from
/// an older generation cannot commit; v3 is flexible. When verification is on (KIP-890) the group's
/// partition must have been added by AddOffsetsToTxn, checked by the partition under its append lock
/// when the batch would open the transaction there (so an abort cannot slip in between): otherwise
/// INVALID_TXN_STATE (TRANSACTION_ABORTABLE from v4). v5 (transaction version 2) adds the group's
/// partition to the transaction itself, then verifies the same way. Unknown partitions get
/// UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
public sealed class TxnOffsetCommitHandler(GroupCoordinator groups, TransactionCoordinator transactions, PartitionRegistry partitions, Func<bool> verificationEnabled) : RequestHandler<TxnOffsetCommitRequest>
{
    public override ApiKey ApiKey => ApiKey.TxnOffsetCommit;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    /// <summary>The first version of transaction version 2 (KIP-890 part 2): the commit adds the group's partition itself.</summary>
    public const short FirstTransactionV2Version = 5;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, TxnOffsetCommitRequest request)
    {
        var entries = new List<OffsetCommitEntry>();
        var results = new List<(string Topic, int Partition, ErrorCode Error, int Entry)>();
        foreach (var topic in request.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (!partitions.TryGet(topic.Name, partition.PartitionIndex, out _))
                {
                    results.Add((topic.Name, partition.PartitionIndex, ErrorCode.UnknownTopicOrPartition, -1));
                    continue;
                }

                results.Add((topic.Name, partition.PartitionIndex, ErrorCode.None, entries.Count));
                entries.Add(new OffsetCommitEntry(topic.Name, partition.PartitionIndex, partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.CommittedMetadata));
            }
        }

        var error = request.GroupId.Length == 0 ? ErrorCode.InvalidGroupId : request.TransactionalId.Length == 0 ? ErrorCode.InvalidRequest : ErrorCode.None;
        var transactionV2 = context.ApiVersion >= FirstTransactionV2Version;
        var offsetsPartition = error == ErrorCode.None && groups.Load.IsLoadedOrStart()
            ? new TopicPartition(GroupCoordinator.OffsetsTopic, groups.OffsetsPartitionFor(request.GroupId))
            : (TopicPartition?)null;
        if (transactionV2 && offsetsPartition is { } added && entries.Count > 0)
        {
            // Transaction version 2: no AddOffsetsToTxn; the group's partition joins the transaction here.
            error = VerificationError(await transactions.AddPartitionsAsync(request.TransactionalId, request.ProducerId, request.ProducerEpoch, [added], transactionV2: true), context.ApiVersion);
        }

        var verifier = error == ErrorCode.None && offsetsPartition is { } verified && (transactionV2 || verificationEnabled())
            ? new CoordinatorTransactionVerifier(transactions, request.TransactionalId, verified)
            : null;
        var errors = error == ErrorCode.None && entries.Count > 0
            ? await groups.CommitTransactionalOffsetsAsync(request.GroupId, request.ProducerId, request.ProducerEpoch, request.GenerationId, request.MemberId, request.GroupInstanceId, entries, verifier)
            : null;
        if (verifier is { Error: not ErrorCode.None })
        {
            error = VerificationError(verifier.Error, context.ApiVersion);
        }

        var response = new TxnOffsetCommitResponse();
        foreach (var (name, partition, partitionError, entry) in results)
        {
            var topic = response.Topics.Count > 0 && response.Topics[^1].Name == name ? response.Topics[^1] : null;
            if (topic is null)
            {
                topic = new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic { Name = name };
                response.Topics.Add(topic);
            }

            var answer = partitionError != ErrorCode.None ? partitionError : error != ErrorCode.None ? error : errors![entry];
            topic.Partitions.Add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition { PartitionIndex = partition, ErrorCode = (short)answer });
        }

        return response;
    }

    /// <summary>
    /// The coordinator refused the verification: a partition missing from the transaction is
    /// TRANSACTION_ABORTABLE from v4 on and INVALID_TXN_STATE before (Kafka's mapping); a fenced
    /// producer INVALID_PRODUCER_EPOCH; the rest as the coordinator answered.
    /// </summary>
    private static ErrorCode VerificationError(ErrorCode verified, short apiVersion) => verified switch
    {
        ErrorCode.TransactionAbortable when apiVersion < 4 => ErrorCode.InvalidTxnState,
        ErrorCode.ProducerFenced => ErrorCode.InvalidProducerEpoch,
        _ => verified,
    };
}
