using Runnel.Protocol;

namespace Runnel.Broker.Transactions;

/// <summary>
/// The answer to EndTxn. Under TV2 (EndTxn v5) it carries the producer id and epoch the client uses
/// for its next transaction: the epoch bumped by this one, or a new producer id at epoch 0 once the
/// old one's epochs are exhausted. -1 otherwise.
/// </summary>
public readonly record struct EndTxnResult(ErrorCode Error, long ProducerId = -1, short ProducerEpoch = -1);
