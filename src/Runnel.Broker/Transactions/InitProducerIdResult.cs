using Runnel.Protocol;

namespace Runnel.Broker.Transactions;

/// <summary>What InitProducerId answers: an error, or the producer id and epoch to use.</summary>
public readonly record struct InitProducerIdResult(ErrorCode Error, long ProducerId, short ProducerEpoch)
{
    public static InitProducerIdResult Fail(ErrorCode error) => new(error, -1, -1);
}
