using Runnel.Protocol.Messages;

namespace Runnel.Broker.Handlers;

/// <summary>
/// The feature flags the broker reports in ApiVersions v3+ (KIP-584), which newer clients read to
/// choose a protocol: <c>transaction.version</c> 2 makes them run transactions the KIP-890 part 2
/// way (Produce v12, TxnOffsetCommit v5, EndTxn v5), <c>group.version</c> 1 says the KIP-848
/// consumer group protocol is on. One node: supported and finalized levels never change, so the
/// finalized epoch is constant.
/// </summary>
public static class BrokerFeatures
{
    public const string TransactionVersion = "transaction.version";
    public const string GroupVersion = "group.version";

    /// <summary>Epoch of the finalized levels; clients keep the highest they saw.</summary>
    public const long FinalizedEpoch = 1;

    private static readonly (string Name, short Min, short Max, short Finalized)[] Features =
    [
        (TransactionVersion, 0, 2, 2),
        (GroupVersion, 0, 1, 1),
    ];

    /// <summary>Adds the supported and finalized levels to <paramref name="response"/>.</summary>
    public static void Describe(ApiVersionsResponse response)
    {
        foreach (var (name, min, max, finalized) in Features)
        {
            response.SupportedFeatures.Add(new ApiVersionsResponse.SupportedFeatureKey { Name = name, MinVersion = min, MaxVersion = max });

            // Kafka reports a finalized feature as one level (min = max).
            response.FinalizedFeatures.Add(new ApiVersionsResponse.FinalizedFeatureKey { Name = name, MinVersionLevel = finalized, MaxVersionLevel = finalized });
        }

        response.FinalizedFeaturesEpoch = FinalizedEpoch;
    }
}
