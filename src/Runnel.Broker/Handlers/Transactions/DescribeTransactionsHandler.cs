using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>DescribeTransactions (key 65), version 0 (KIP-664): state, timeout, start time, producer and partitions of each requested transactional id.</summary>
public sealed class DescribeTransactionsHandler(TransactionCoordinator coordinator) : RequestHandler<DescribeTransactionsRequest>
{
    public override ApiKey ApiKey => ApiKey.DescribeTransactions;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, DescribeTransactionsRequest request)
    {
        var response = new DescribeTransactionsResponse();
        foreach (var transactionalId in request.TransactionalIds)
        {
            var description = coordinator.Describe(transactionalId);
            var state = new DescribeTransactionsResponse.TransactionStateStruct
            {
                ErrorCode = (short)description.Error,
                TransactionalId = transactionalId,
            };
            if (description.Error == ErrorCode.None)
            {
                state.TransactionState = description.State.Name();
                state.TransactionTimeoutMs = description.TimeoutMs;
                state.TransactionStartTimeMs = description.StartMs;
                state.ProducerId = description.ProducerId;
                state.ProducerEpoch = description.ProducerEpoch;
                foreach (var partition in description.Partitions)
                {
                    var topic = state.Topics.Find(t => t.Topic == partition.Topic);
                    if (topic is null)
                    {
                        topic = new DescribeTransactionsResponse.TopicData { Topic = partition.Topic };
                        state.Topics.Add(topic);
                    }

                    topic.Partitions.Add(partition.Partition);
                }
            }

            response.TransactionStates.Add(state);
        }

        return new ValueTask<IApiMessage?>(response);
    }
}
