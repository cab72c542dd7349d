namespace Runnel.Broker.Handlers.Admin;

/// <summary>Bounds on what one admin request may ask of the broker.</summary>
internal static class AdminLimits
{
    /// <summary>
    /// The most partitions one CreateTopics or CreatePartitions request may create, summed over its
    /// topics. Kafka's controller bounds one operation at 10,000 metadata records
    /// (<c>QuorumController.MAX_RECORDS_PER_USER_OP</c>, one record per new partition) and fails a
    /// larger request as a whole with POLICY_VIOLATION "Unable to perform excessively large batch
    /// operation."; Runnel keeps the number but refuses only the topics that would go past it, with
    /// INVALID_PARTITIONS and a message naming the limit, so the rest of the request still succeeds.
    /// Every partition opens a directory, a segment and two index files, so the cap also bounds the
    /// file handles one request can take.
    /// </summary>
    public const int MaxPartitionsPerRequest = 10_000;

    /// <summary>
    /// DescribeTopicPartitions' upper bound on <c>ResponsePartitionLimit</c>: Kafka's
    /// <c>max.request.partition.size.limit</c> default (KIP-966).
    /// </summary>
    public const int MaxResponsePartitions = 2000;

    public static string TooManyPartitionsMessage(int requested, int alreadyInRequest) =>
        alreadyInRequest == 0
            ? $"Creating {requested} partitions exceeds the limit of {MaxPartitionsPerRequest} new partitions per request."
            : $"Creating {requested} more partitions exceeds the limit of {MaxPartitionsPerRequest} new partitions per request ({alreadyInRequest} already created by this request).";
}
