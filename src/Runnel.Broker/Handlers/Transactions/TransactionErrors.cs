using Runnel.Protocol;

namespace Runnel.Broker.Handlers.Transactions;

/// <summary>Error rewrites the transactional APIs share.</summary>
internal static class TransactionErrors
{
    /// <summary>
    /// PRODUCER_FENCED (KIP-588) is answered only to clients new enough to know it: older versions of
    /// an API get INVALID_PRODUCER_EPOCH, as Kafka's handlers rewrite it.
    /// </summary>
    public static ErrorCode ForVersion(ErrorCode error, short apiVersion, short firstVersionWithProducerFenced) =>
        error == ErrorCode.ProducerFenced && apiVersion < firstVersionWithProducerFenced ? ErrorCode.InvalidProducerEpoch : error;
}
