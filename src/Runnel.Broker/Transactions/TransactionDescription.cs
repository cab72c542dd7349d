using Runnel.Protocol;
using Runnel.Storage.Log;

namespace Runnel.Broker.Transactions;

/// <summary>What DescribeTransactions reports of one transactional id.</summary>
public sealed record TransactionDescription(
    ErrorCode Error,
    string TransactionalId,
    TransactionState State,
    int TimeoutMs,
    long StartMs,
    long ProducerId,
    short ProducerEpoch,
    IReadOnlyList<TopicPartition> Partitions);
